//! Colours from `site.yaml` and the WCAG 2 contrast between two of them.
//!
//! [`parse`] and [`check_pair`] do this:
//!
//! 1. read a colour as CSS reads it (`#0b3d60`, `#fff`, `rgb(11 61 96)`, `hsl(…)`), with the
//!    `csscolorparser` crate, and refuse one that is not opaque: its contrast would depend on what
//!    is behind it;
//! 2. keep only its normalised `#rrggbb` form, so nothing written in `site.yaml` reaches a
//!    stylesheet verbatim;
//! 3. compute each colour's relative luminance and the contrast ratio of a pair, as WCAG 2.2
//!    defines them (success criterion 1.4.3);
//! 4. say which pair fails, by how much, and which way to move.
//!
//! The crate is small (its only dependency without named colours is `num-traits`, already in the
//! build) and maintained; the maths is WCAG's and short, so it is written here.

/// A colour as the site publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub const WHITE: Rgb = Rgb([0xff, 0xff, 0xff]);

    /// `#rrggbb`, lower case.
    pub fn hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// WCAG 2 relative luminance: each sRGB channel linearised, then weighted.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// `share` of this colour mixed into `other`, channel by channel on the sRGB values, as CSS's
    /// `color-mix(in srgb, this share, other)` does.
    pub fn mix(self, share: f64, other: Rgb) -> Rgb {
        let channel = |i: usize| {
            let v = share * f64::from(self.0[i]) + (1.0 - share) * f64::from(other.0[i]);
            // In 0..=255 since both inputs are; rounded as browsers round.
            v.round() as u8
        };
        Rgb([channel(0), channel(1), channel(2)])
    }
}

/// The contrast ratio of two colours, from 1 to 21, whichever is lighter.
pub fn ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// Reads a CSS colour; the error says what to write instead.
pub fn parse(text: &str) -> Result<Rgb, String> {
    let colour = csscolorparser::parse(text.trim()).map_err(|_| {
        "is not a colour this site can use: write a hex colour such as `#0b3d60`, or `rgb(11 61 96)`"
            .to_string()
    })?;
    let [r, g, b, a] = colour.to_rgba8();
    if a != 255 {
        return Err(
            "is transparent in part: give an opaque colour, since its contrast would depend on what is behind it"
                .into(),
        );
    }
    Ok(Rgb([r, g, b]))
}

/// WCAG 2.2 AA's minimum for text of normal size.
pub const AA_TEXT: f64 = 4.5;

/// The problem with `text` on `background`, if their contrast is below [`AA_TEXT`]: "header text
/// #777777 on header background #ffffff has contrast 4.48:1; WCAG AA needs 4.5:1 — darken the
/// text or lighten the background". The ratio is rounded to two places, but a pair that fails
/// never shows as 4.50:1.
pub fn check_pair(text: (&str, Rgb), background: (&str, Rgb)) -> Option<String> {
    let r = ratio(text.1, background.1);
    if r >= AA_TEXT {
        return None;
    }
    // Rounded as contrast checkers round, but a failing pair never shows as 4.50:1.
    let shown = ((r * 100.0).round() / 100.0).min(AA_TEXT - 0.01);
    let advice = if text.1.luminance() <= background.1.luminance() {
        "darken the text or lighten the background"
    } else {
        "lighten the text or darken the background"
    };
    Some(format!(
        "{} {} on {} {} has contrast {shown:.2}:1; WCAG AA needs {AA_TEXT}:1 — {advice}",
        text.0,
        text.1.hex(),
        background.0,
        background.1.hex(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_wcag_reference_values() {
        let black = Rgb([0, 0, 0]);
        assert!((ratio(black, Rgb::WHITE) - 21.0).abs() < 1e-9);
        assert!((ratio(Rgb::WHITE, Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the lightest grey that passes on white (4.54:1); #777777 fails (4.48:1).
        assert!(ratio(parse("#767676").unwrap(), Rgb::WHITE) >= AA_TEXT);
        assert!(ratio(parse("#777").unwrap(), Rgb::WHITE) < AA_TEXT);
    }

    #[test]
    fn a_failing_pair_is_named_with_its_ratio_and_the_way_to_move() {
        let message = check_pair(
            ("header text", parse("#777").unwrap()),
            ("header background", Rgb::WHITE),
        )
        .expect("4.48:1 fails");
        assert_eq!(
            message,
            "header text #777777 on header background #ffffff has contrast 4.48:1; WCAG AA needs 4.5:1 — darken the text or lighten the background"
        );
        let light_on_dark =
            check_pair(("text", Rgb::WHITE), ("background", parse("#aaa").unwrap()));
        assert!(light_on_dark
            .unwrap()
            .ends_with("lighten the text or darken the background"));
        assert_eq!(
            check_pair(("t", parse("#000").unwrap()), ("b", Rgb::WHITE)),
            None
        );
    }

    #[test]
    fn colours_are_read_as_css_reads_them_and_must_be_opaque() {
        assert_eq!(parse("rgb(11 61 96)").unwrap().hex(), "#0b3d60");
        assert_eq!(parse(" #0B3D60 ").unwrap().hex(), "#0b3d60");
        assert!(parse("#0b3d6080").unwrap_err().contains("opaque"));
        assert!(parse("red; } body { display: none").is_err());
        assert!(parse("").is_err());
    }
}
