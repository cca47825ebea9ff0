//! Informants: which study's registry an evidence item's `informant` names, and the attribution
//! every output (CMO page, exports, search) prints for an evidence item.
//!
//! 1. A CMO's study is its defining report's `study`; a CMO in its own file takes the study of
//!    the first report that lists it.
//! 2. `informant: <study>/<id>` is looked up in that study's `informants`; `informant: <id>` in
//!    the CMO's study's.
//! 3. The attribution is the registry entry's ([`Informant::attribution`]): its role, area title
//!    and interview date, with its id unless the study's `attribution` is `role-only`.
//!    An evidence item without `informant`, or whose informant is not found (an error `check`
//!    reports), prints its free `role`.

use super::{CmoRecord, Origin, Site};
use crate::model::{split_informant, Attribution, Entity, Evidence, Informant, Kind, Study};

/// What an evidence item's `informant` names.
pub enum InformantLookup<'a> {
    /// The registry entry, in this study (by id and front matter).
    Found {
        study_id: &'a str,
        study: &'a Study,
        informant: &'a Informant,
    },
    /// `<id>` written in a CMO that belongs to no study.
    NoStudy,
    /// `<study>/<id>` (or the CMO's study) names no study.
    UnknownStudy(&'a str),
    /// The study has no informant with this id.
    UnknownId {
        study_id: &'a str,
        study: &'a Study,
        id: &'a str,
    },
}

impl Site {
    /// The id of the study a CMO belongs to, if it can be told.
    pub fn cmo_study(&self, record: &CmoRecord) -> Option<&str> {
        let report = match record.origin {
            Origin::Report(r) => Some(&self.content.reports[r]),
            Origin::File(_) => record.reports.first().and_then(|id| self.report(id)),
        };
        report.map(|d| d.meta.study.id.as_str())
    }

    /// The front matter of study `id`, if it exists.
    pub fn study(&self, id: &str) -> Option<&Study> {
        let docs = self.content.entities(Kind::Study);
        docs.iter()
            .find(|d| d.id == id)
            .and_then(|d| match &d.meta {
                Entity::Study(s) => Some(s),
                _ => None,
            })
    }

    /// What `text` (an evidence item's `informant`, written in `record`) names.
    pub fn lookup_informant<'a>(
        &'a self,
        record: &'a CmoRecord,
        text: &'a str,
    ) -> InformantLookup<'a> {
        let (written, id) = split_informant(text);
        let Some(study_id) = written.or_else(|| self.cmo_study(record)) else {
            return InformantLookup::NoStudy;
        };
        let Some(study) = self.study(study_id) else {
            return InformantLookup::UnknownStudy(study_id);
        };
        match study.informants.iter().find(|i| i.id == id) {
            Some(informant) => InformantLookup::Found {
                study_id,
                study,
                informant,
            },
            None => InformantLookup::UnknownId {
                study_id,
                study,
                id,
            },
        }
    }

    /// The registry entry an evidence item names and its study's attribution setting, if found.
    pub fn evidence_informant<'a>(
        &'a self,
        record: &'a CmoRecord,
        e: &'a Evidence,
    ) -> Option<(&'a Informant, Attribution)> {
        match self.lookup_informant(record, e.informant.as_deref()?) {
            InformantLookup::Found {
                study, informant, ..
            } => Some((informant, study.attribution)),
            _ => None,
        }
    }

    /// Who said it, as every output prints it: built from the registry when the item names an
    /// informant, else its free `role`.
    pub fn attribution(&self, record: &CmoRecord, e: &Evidence) -> Option<String> {
        match self.evidence_informant(record, e) {
            Some((informant, mode)) => Some(self.informant_attribution(informant, mode)),
            None => e.role.clone(),
        }
    }

    /// The attribution of a registry entry under `mode`.
    pub fn informant_attribution(&self, informant: &Informant, mode: Attribution) -> String {
        let area = informant.area.as_ref();
        let area = area.filter(|a| self.exists(Kind::Area, &a.id));
        let title = area.map(|a| self.title(Kind::Area, &a.id));
        informant.attribution(title.as_deref(), mode)
    }

    /// The informant's id as the exports publish it, unless its study is `role-only`.
    pub fn published_informant_id(&self, record: &CmoRecord, e: &Evidence) -> Option<String> {
        match self.evidence_informant(record, e)? {
            (informant, Attribution::RoleAndId) => Some(informant.id.clone()),
            (_, Attribution::RoleOnly) => None,
        }
    }
}
