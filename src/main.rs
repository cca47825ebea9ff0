//! The `realist` command line: parses arguments, calls the library, prints diagnostics.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "realist",
    version,
    about = "Build checked, cross-linked websites from realist evaluation reports"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default ROOT/public).
    Build {
        /// The site's folder; by default the nearest folder holding site.yaml, from the current
        /// folder upwards.
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override `base_url` from site.yaml (checked as base_url is: http(s), a host, no query).
        /// Checked by the build rather than by the argument parser, whose message would repeat the
        /// raw value, control characters and all.
        #[arg(long)]
        base_url: Option<String>,
        /// Also publish reports with `status: draft`.
        #[arg(long)]
        drafts: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Print the time each stage and template took.
        #[arg(long)]
        timings: bool,
    },
    /// Check everything a build checks, without writing the output.
    Check {
        /// The site's folder; by default the nearest folder holding site.yaml, from the current
        /// folder upwards.
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(long)]
        drafts: bool,
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Build the site with drafts, serve it under base_url's path, rebuild and reload on changes.
    Serve {
        /// The site's folder; by default the nearest folder holding site.yaml, from the current
        /// folder upwards.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Port to listen on; 0 picks a free one (the URL printed has the real port).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on. Anything other than 127.0.0.1 exposes drafts to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Say why each page was rebuilt.
        #[arg(long)]
        verbose: bool,
    },
    /// Make a new content file from an archetype, in the site around the current folder.
    New {
        /// report, cmo, tracer, area, study, theory, page or source
        kind: String,
        /// The new file's id (lower-kebab)
        id: String,
        /// The site's folder; by default the nearest folder holding site.yaml, from the current
        /// folder upwards.
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Create a new site skeleton that builds.
    Init { dir: PathBuf },
    /// Print the hashed deny-list entry of a name, for site.yaml's `anonymity: { deny_list: … }`
    /// file: `sha256:`, its number of words, `:` and the SHA-256 of its normal form (lower case,
    /// words of letters and digits joined by one space).
    DenyHash {
        /// The name, as written (quote it if it has spaces).
        name: String,
    },
    /// Print the JSON Schema of a kind's front matter, for editors that check YAML as you type.
    Schema {
        /// report, cmo, study, tracer, area, theory, page, source or glossary (default: report)
        kind: Option<String>,
        /// Print the schema reference of every kind, in Markdown, instead.
        #[arg(long)]
        markdown: bool,
    },
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            drafts,
            deny_warnings,
            timings,
        } => {
            let options = realist::BuildOptions {
                root: site_root(root),
                out,
                base_url,
                drafts,
                deny_warnings,
                check_only: false,
            };
            run_build(&options, timings)
        }
        Command::Check {
            root,
            drafts,
            deny_warnings,
        } => {
            let options = realist::BuildOptions {
                root: site_root(root),
                drafts,
                deny_warnings,
                check_only: true,
                ..Default::default()
            };
            run_build(&options, false)
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
            verbose,
        } => realist::serve::run(&realist::serve::ServeOptions {
            root: site_root(root),
            port,
            bind,
            open,
            verbose,
        }),
        Command::New { kind, id, root } => new(&kind, &id, root.as_deref()),
        Command::Schema { kind, markdown } => schema(kind.as_deref(), markdown),
        Command::DenyHash { name } => match realist::config::anonymity::hashed_entry(&name) {
            Some(entry) => {
                say(&entry);
                0
            }
            None => {
                tell("error: the name has no letter or digit, so there is nothing to hash\n");
                2
            }
        },
        Command::Init { dir } => match realist::scaffold::init(&dir) {
            Ok(()) => {
                say(&format!(
                    "created a new site in {}; build it with `realist build --root {}`",
                    dir.display(),
                    dir.display()
                ));
                0
            }
            Err(e) => scaffold_error(e),
        },
    };
    ExitCode::from(code as u8)
}

/// `realist schema`: the JSON Schema of one kind, or the Markdown reference of every kind.
fn schema(kind: Option<&str>, markdown: bool) -> i32 {
    use realist::model::schema;
    if markdown {
        say(schema::markdown().trim_end());
        return 0;
    }
    let name = kind.unwrap_or("report");
    match schema::json(name) {
        Some(json) => {
            say(&serde_json::to_string_pretty(&json).unwrap_or_default());
            0
        }
        None => {
            tell(&format!(
                "error: there is no kind `{name}`; the kinds are: {}\n",
                schema::NAMES.join(", ")
            ));
            2
        }
    }
}

fn run_build(options: &realist::BuildOptions, timings: bool) -> i32 {
    let report = realist::build(options);
    for d in &report.diagnostics {
        tell(&format!("{d}\n"));
    }
    if timings {
        for (i, (stage, secs)) in report.stages.iter().enumerate() {
            let (rss, peak) = report.stage_rss.get(i).copied().unwrap_or_default();
            tell(&format!(
                "  {stage:<8} {:>8.1} ms {rss:>8.1} MiB resident, {peak:>8.1} MiB peak",
                secs * 1000.0
            ));
        }
        tell("  slowest templates (summed over threads):");
        for (template, secs) in report.templates.iter().take(5) {
            tell(&format!("    {template:<14} {:>8.1} ms", secs * 1000.0));
        }
    }
    match report.outcome {
        realist::Outcome::Success => {
            let verb = if options.check_only {
                "Checked"
            } else {
                "Built"
            };
            say(&report.summary(verb));
        }
        realist::Outcome::SiteErrors => tell(&format!(
            "{}{}",
            report.problems_summary(),
            output_state(options, &report)
        )),
        realist::Outcome::Failure => tell(&format!(
            "{} failed{}",
            if options.check_only { "check" } else { "build" },
            output_state(options, &report)
        )),
    }
    report.outcome.exit_code()
}

/// What a failed build did to the output, said only when true: a check has none, and a first
/// build leaves none (a failed build writes nothing in place of the output; where a switch went
/// wrong half-way its own message says where things are).
fn output_state(options: &realist::BuildOptions, report: &realist::BuildReport) -> &'static str {
    match (
        options.check_only,
        std::fs::symlink_metadata(&report.out).is_ok(),
    ) {
        (true, _) => "",
        (false, true) => "; the previous output is unchanged",
        (false, false) => "; no output was written",
    }
}

/// `realist new`: finds the site, writes the file, and says where it is, from the current folder
/// when the site is found around it.
/// The site a command works on: `--root` if given, else the nearest folder from the current one
/// upwards that holds site.yaml (as `new` finds it), else the current folder, whose missing
/// site.yaml the build then reports.
fn site_root(root: Option<PathBuf>) -> PathBuf {
    if let Some(root) = root {
        return root;
    }
    let here = PathBuf::from(".");
    let Ok(cwd) = std::env::current_dir() else {
        return here;
    };
    match realist::nearest_site_root(&cwd) {
        // In the site's own folder, keep `.` so that messages show the paths they always did.
        Some(site) if site != cwd => site,
        _ => here,
    }
}

fn new(kind: &str, id: &str, root: Option<&std::path::Path>) -> i32 {
    use realist::scaffold;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let site = match scaffold::find_site_root(root, &cwd) {
        Ok(site) => site,
        Err(e) => return scaffold_error(e),
    };
    match scaffold::new_content(&site, kind, id, &scaffold::today()) {
        Ok(rel) => {
            let shown = match (root, site == cwd) {
                (None, true) => rel,
                _ => site.join(rel),
            };
            say(&format!("created {}", shown.display()));
            0
        }
        Err(e) => scaffold_error(e),
    }
}

fn scaffold_error(e: realist::scaffold::ScaffoldError) -> i32 {
    use realist::diagnostics::printable;
    tell(&format!("error: {}", printable(&e.message)));
    if let Some(help) = e.help {
        tell(&format!("   = help: {}", printable(&help)));
    }
    e.code
}

/// Prints a line on stdout. A closed or full stdout (`>/dev/full`, a pager quit early) must not
/// panic after the work is done: a closed pipe means nobody reads, and any other failure is said
/// on stderr.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            tell(&format!("cannot print on standard output: {e}"));
        }
    }
}

/// Prints a line on stderr; when even stderr cannot be written there is nobody left to tell.
fn tell(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// mimalloc instead of the system allocator: rendering makes millions of small, short-lived
/// allocations across threads, where glibc malloc spends a tenth of the build. Build with
/// `--no-default-features` to get the system allocator back, for heap profilers (heaptrack,
/// valgrind) that only see malloc.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks the kernel for them on its
/// arenas (`madvise(MADV_HUGEPAGE)`), and every first touch of a 2 MiB page then zeroes all of it:
/// at 10,000 reports that was a tenth of the build's system time and about 20 MiB more peak RSS
/// (allocation is spread thinly across many half-used huge pages). mimalloc's own switch,
/// `MIMALLOC_ALLOW_THP=0`, is read when the allocator starts, before `main`, so the process flag it
/// would set is set here instead; it applies to every later page fault.
#[cfg(all(feature = "mimalloc", target_os = "linux"))]
fn no_transparent_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(all(feature = "mimalloc", target_os = "linux")))]
fn no_transparent_huge_pages() {}
