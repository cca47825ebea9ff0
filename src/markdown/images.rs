//! Images kept beside the Markdown file that shows them, as Quarto, Hugo page bundles and Zola's
//! co-located assets allow: `![Logic model](figures/logic-model.png)` in
//! `content/reports/x.md` is the file `content/reports/figures/logic-model.png`.
//!
//! [`colocated`] decides, for an image's destination:
//!
//! 1. a relative path with an image extension, without `..`, is an image beside the file: its
//!    name must be plain (letters, digits, `-`, `_`, `.`, `/`), and it is read under the input
//!    policy (inside `content/`, no links out); a missing one is an error at the image;
//! 2. a file that is not what its name says, or an SVG that could run script or load other
//!    files, is refused ([`super::image_check`]), though an `<img>` would not run it: the file is
//!    published at its own URL, where a browser opening it directly would;
//! 3. the image is copied beside the page, at the same relative path, so the link as written
//!    works under any sub-path;
//! 4. a path with `..` (`../../static/x.png`) is relative to the page, as before, and checked by
//!    the link checker like any link.

use std::path::{Path, PathBuf};

/// What an image destination is.
pub(super) enum Image {
    /// Not an image beside the file: handled as any relative link.
    Elsewhere,
    /// An image beside the file: the file under `content/` and its path relative to the page.
    Beside { file: PathBuf, rel: String },
    /// A refused destination: (message, help).
    Refused(String, String),
}

/// Decides what the image destination `path` (no fragment), written in the Markdown file
/// `source` (`content/reports/x.md`), is.
pub(super) fn colocated(source: &Path, path: &str) -> Image {
    let is_image = crate::paths::is_image(Path::new(path));
    let Some(folder) = source.parent() else {
        return Image::Elsewhere;
    };
    if !is_image || path.starts_with('/') {
        return Image::Elsewhere;
    }
    // A path that climbs (`../../static/x.png`) is relative to the page, as before images could
    // sit beside the Markdown file.
    if path.split('/').any(|s| s == "..") {
        return Image::Elsewhere;
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
    if !path.chars().all(plain) || path.split('/').any(|s| s.is_empty() || s == ".") {
        return Image::Refused(
            format!(
                "the image name `{}` has characters that web addresses must escape",
                crate::diagnostics::printable_inline(path)
            ),
            "rename the image (and its folders) with letters, digits, `-` and `_` only, e.g. figures/logic-model.png".into(),
        );
    }
    Image::Beside {
        file: folder.join(path),
        rel: path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_beside_the_file() {
        let md = Path::new("content/reports/x.md");
        assert!(matches!(
            colocated(md, "figures/logic-model.png"),
            Image::Beside { ref file, .. } if file == Path::new("content/reports/figures/logic-model.png")
        ));
        assert!(matches!(colocated(md, "figures/x.PDF"), Image::Elsewhere));
        assert!(matches!(
            colocated(md, "../../static/x.png"),
            Image::Elsewhere
        ));
        assert!(matches!(
            colocated(md, "../../../../x.png"),
            Image::Elsewhere
        ));
        assert!(matches!(colocated(md, "../static/x.png"), Image::Elsewhere));
        assert!(matches!(
            colocated(md, "figures/logic%20model.png"),
            Image::Refused(..)
        ));
        assert!(matches!(colocated(md, "/x.png"), Image::Elsewhere));
    }
}
