//! Quarto (and Pandoc) habits realist does not support, recognised so that the author is told
//! what to write instead rather than finding stray `:::` on the page.
//!
//! 1. A fenced div (`::: {.callout-note}` … `:::`) is not CommonMark: pulldown-cmark reads its
//!    fences as text. The opening fence, at the start of a line, gets a warning; a call-out's
//!    says how to write it as a block quote.
//! 2. An executable code chunk (```` ```{r} ````, ```` ```{python} ````) is shown as code in its
//!    language, with a warning that realist runs no code.
//! 3. Attributes after an image (`![Logic model](x.png){#fig-logic width=80%}`) and shortcodes
//!    (`{{< include _intro.qmd >}}`) are shown as text, with a warning.
//! 4. A cross-reference (`@fig-logic`, `@tbl-areas`, `@sec-methods`) reads as a citation key the
//!    bibliography does not have; its error says what to write instead.

/// A warning about a Quarto habit: what is wrong and what to write instead.
pub(super) struct Habit {
    pub message: String,
    pub help: String,
}

/// A Quarto fenced div opened on the line of the text run at `offset` in `source`: a warning,
/// located at the fence, if the line starts with `:::` followed by attributes or a class name,
/// and the run is the first on it. The run may start inside the fence, since pulldown-cmark
/// can read a leading `:` as a definition list's marker. A closing fence (`:::` alone) says
/// nothing more: its opening fence was warned about.
pub(super) fn fenced_div(source: &str, offset: usize) -> Option<(usize, Habit)> {
    // Only spaces and colons may come before the run on its line: looked for byte by byte, a
    // few bytes back at most, so that many runs on one long line are not each walked back.
    let bytes = source.as_bytes();
    let mut line_start = offset;
    while line_start > 0 && matches!(bytes[line_start - 1], b' ' | b'\t' | b':') {
        if offset - line_start > 16 {
            return None;
        }
        line_start -= 1;
    }
    if line_start > 0 && bytes[line_start - 1] != b'\n' {
        return None;
    }
    let line_end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    let line = &source[line_start..line_end];
    let text = line.trim_start();
    let fence_at = line_start + (line.len() - text.len());
    if !text.starts_with(":::") || offset > fence_at + 3 {
        return None;
    }
    let attributes = text.trim_start_matches(':').trim();
    if attributes.is_empty() {
        return None;
    }
    let fence: String = text
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .take(60)
        .collect();
    let shown = crate::diagnostics::printable_inline(&fence);
    let callout = attributes
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .find_map(|w| w.strip_prefix("callout-"));
    let help = match callout {
        Some(kind) => {
            let label = crate::text::upper_first(kind);
            format!(
                "write the call-out as a block quote that starts with a bold label: `> **{label}:** …` on each line, and delete the `:::` lines"
            )
        }
        None => "delete the `:::` lines; for a box set apart from the text, use a block quote (`> ` at the start of each line)".to_string(),
    };
    Some((
        fence_at,
        Habit {
            message: format!(
                "`{shown}` is a Quarto fenced div, which realist does not support: its `:::` lines would reach the page as stray text"
            ),
            help,
        },
    ))
}

/// The language of a Quarto code chunk (`{r}`, `{python echo=false}`, `{r, fig.cap="x"}`) with a
/// warning, or None for an ordinary fence's language.
pub(super) fn code_chunk(info: &str) -> Option<(String, Habit)> {
    let inner = info.strip_prefix('{')?;
    let lang: String = inner
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '+' || *c == '-')
        .collect();
    let shown = format!("```{{{}}}", if lang.is_empty() { "…" } else { &lang });
    let fence = if lang.is_empty() { "text" } else { &lang };
    Some((
        lang.to_lowercase(),
        Habit {
            message: format!(
                "`{shown}` starts a Quarto code chunk: realist does not run code, so the code is shown and its results are not"
            ),
            help: format!(
                "run the analysis elsewhere and put its results in the report (a Markdown table, or a figure saved as an image beside the report); to show the code itself, start the block with ```{fence}"
            ),
        },
    ))
}

/// A warning for the text run right after an image, if it starts with Quarto's attributes
/// (`{#fig-logic}`, `{width=80%}`).
pub(super) fn image_attributes(text: &str) -> Option<Habit> {
    let inner = text.strip_prefix('{')?;
    let close = inner.find('}')?;
    let attributes: String = text[..close + 2].chars().take(60).collect();
    Some(Habit {
        message: format!(
            "`{}` after an image is Quarto syntax that realist does not read: it is shown as text",
            crate::diagnostics::printable_inline(&attributes)
        ),
        help: "delete it: the text in the brackets describes the image, and a heading with an id above it (`### Logic model {#logic-model}`) lets other pages link to it".into(),
    })
}

/// A warning for a Quarto (or Hugo) shortcode in running text, `{{< include _intro.qmd >}}`, with
/// its offset in `text`.
pub(super) fn shortcode(text: &str) -> Option<(usize, Habit)> {
    let at = text.find("{{<")?;
    let end = text[at..].find(">}}").map_or(text.len(), |e| at + e + 3);
    let written: String = text[at..end].chars().take(60).collect();
    Some((
        at,
        Habit {
            message: format!(
                "`{}` is a Quarto shortcode, which realist does not run: it is shown as text",
                crate::diagnostics::printable_inline(&written)
            ),
            help: "write the text in this file instead of including it; to point to another page, link to it with `[text](@page/id)`".into(),
        },
    ))
}

/// The help for an unknown citation key that is a Quarto cross-reference (`fig-`, `tbl-`, `sec-`,
/// `eq-`, `lst-` and a label), or None.
pub(super) fn cross_reference(key: &str) -> Option<String> {
    let (prefix, label) = key.split_once('-')?;
    let what = match prefix {
        "fig" => "figure",
        "tbl" => "table",
        "sec" => "section",
        "eq" => "equation",
        "lst" => "code listing",
        _ => return None,
    };
    (!label.is_empty()).then(|| {
        format!(
            "`@{key}` is a Quarto cross-reference to a {what}, which realist does not number: give the heading above it an id (`## Logic model {{#{label}}}`) and link to it with `[the {what}](#{label})`"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenced_divs_at_the_start_of_a_line() {
        let source = "Text\n\n::: {.callout-note}\nA note.\n:::\n";
        let at = source.find(":::").unwrap();
        let (found, habit) = fenced_div(source, at).unwrap();
        assert_eq!(found, at);
        assert!(
            habit.message.contains("`::: {.callout-note}`"),
            "{}",
            habit.message
        );
        assert!(habit.help.contains("> **Note:**"), "{}", habit.help);
        // Read as a definition list, the run starts after the first `:`.
        assert_eq!(fenced_div(source, at + 1).unwrap().0, at);
        // Not a later run on the line, not a closing fence, not `:::` within a line.
        assert!(fenced_div(source, at + 5).is_none());
        assert!(fenced_div(source, source.rfind(":::").unwrap()).is_none());
        assert!(fenced_div("a ::: b", 2).is_none());
        assert!(fenced_div(":::: columns", 0).is_some());
    }

    #[test]
    fn code_chunks() {
        let (lang, habit) = code_chunk("{r}").unwrap();
        assert_eq!(lang, "r");
        assert!(habit.message.contains("{r}"), "{}", habit.message);
        assert!(habit.help.ends_with("with ```r"), "{}", habit.help);
        assert_eq!(code_chunk("{python echo=false}").unwrap().0, "python");
        assert!(code_chunk("python").is_none());
    }

    #[test]
    fn image_attributes_and_shortcodes() {
        let habit = image_attributes("{#fig-logic width=80%} and more").unwrap();
        assert!(
            habit.message.starts_with("`{#fig-logic width=80%}`"),
            "{}",
            habit.message
        );
        assert!(image_attributes(" {#x}").is_none());
        assert!(image_attributes("{ no end").is_none());
        let (at, habit) = shortcode("See {{< include _intro.qmd >}} here").unwrap();
        assert_eq!(at, 4);
        assert!(
            habit.message.starts_with("`{{< include _intro.qmd >}}`"),
            "{}",
            habit.message
        );
        assert!(shortcode("a {{ b }}").is_none());
    }

    #[test]
    fn cross_references() {
        let help = cross_reference("fig-logic-model").unwrap();
        assert!(help.contains("{#logic-model}"), "{help}");
        assert!(help.contains("[the figure](#logic-model)"), "{help}");
        assert!(cross_reference("smith2013").is_none());
        assert!(cross_reference("figure-x").is_none());
        assert!(cross_reference("fig-").is_none());
    }
}
