//! `realist serve`: build the site (with drafts) into a temporary folder, serve it under the path
//! of `base_url`, watch the sources, rebuild what changed and tell open pages to reload.
//!
//! [`run`] does this:
//!
//! 1. check the site root, and make a private folder for the served builds;
//! 2. listen on the address asked for;
//! 3. build the whole site once ([`incremental::Session`], through `crate::pipeline`), then start
//!    the HTTP threads ([`conn`], [`http`]) that serve it;
//! 4. announce the address, then watch the inputs: each batch of changes is handed to the
//!    session, which rebuilds what they affect, and the result is published to open pages.
//!
//! Four parts: [`incremental`] keeps the last build and updates it; [`conn`] accepts connections
//! and reads bounded requests for this server's own address only; [`http`] answers them and holds
//! the event streams; this module watches files and runs the loop between them. The build
//! loop is the only writer of the served folder, and it tells browsers to reload only after every
//! file of an update is in place.

pub(crate) mod conn;
pub(crate) mod http;
pub mod incremental;
pub(crate) mod inputs;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use crate::diagnostics::Diagnostic;
use http::{DiagnosticView, Shared, Status};
use incremental::{Session, Update, UpdateKind};
use inputs::INPUT_DIRS;

/// How long the file system must be quiet before a change is built.
pub const DEBOUNCE: Duration = Duration::from_millis(10);
/// The longest a steady stream of events can put a build off.
pub const MAX_DELAY: Duration = Duration::from_millis(500);

type WatchEvent = notify::Result<notify::Event>;

/// What `realist serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    pub verbose: bool,
}

/// Creates the folder the site is built into while serving: a new folder in `parent` with a
/// random name, readable by this user only (drafts are built into it). It is created with
/// `tempfile`, which never takes over a path that already exists (a folder or link another
/// user put there ahead of time): it tries another name instead. The folder is kept: the
/// server removes it when stopped.
pub fn create_output_dir(parent: &Path) -> std::io::Result<PathBuf> {
    let prefix = format!("realist-serve-{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o700));
    }
    Ok(builder.tempdir_in(parent)?.keep())
}

/// Runs the server until the process is stopped. Returns an exit code only when it cannot start.
///
/// 1. Check the root, create the private output folder, and listen.
/// 2. Build the whole site once and start serving it.
/// 3. Watch the inputs, and update the site after every change.
pub fn run(options: &ServeOptions) -> i32 {
    let Some(root) = site_root(&options.root) else {
        return 2;
    };
    let Some(out_root) = output_root() else {
        return 2;
    };
    let Some((listener, local)) = listen(options) else {
        let _ = std::fs::remove_dir_all(&out_root);
        return 2;
    };
    let mut session = Session::new(&root, &out_root);
    let mut printer = Printer::new(options.verbose);
    let first = guarded(&mut session, |s| s.full("starting"));
    let base = session.base_path().unwrap_or_else(|| "/".into());
    let shared = Arc::new(Shared::new(base.clone()));
    let mut loop_state = LoopState { build: 0, base };
    show(&shared, &session, &first, &mut loop_state, &mut printer);
    start_serving(listener, &shared, &options.bind, local);
    announce(options, &root, local, &loop_state.base);
    watch(&root, &mut session, &shared, &mut loop_state, &mut printer)
}

/// The canonical site root, or None (reported) when `root` is no site.
fn site_root(root: &Path) -> Option<PathBuf> {
    match root.canonicalize() {
        Ok(r) if r.join("site.yaml").is_file() => Some(r),
        _ => {
            eprintln!(
                "error: no site here: expected a folder with site.yaml and content/\n  --> {}\n   = help: pass --root DIR, or create a site with `realist init DIR`",
                root.display()
            );
            None
        }
    }
}

/// The private folder the site is built into, removed when the server is stopped; None
/// (reported) if it cannot be created.
fn output_root() -> Option<PathBuf> {
    let out_root = match create_output_dir(&std::env::temp_dir()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!(
                "error: cannot create a private folder for the served site in {}: {e}",
                std::env::temp_dir().display()
            );
            return None;
        }
    };
    let to_remove = out_root.clone();
    let _ = ctrlc::set_handler(move || {
        let _ = std::fs::remove_dir_all(&to_remove);
        std::process::exit(0);
    });
    Some(out_root)
}

/// Listens on the address asked for; None (reported) if it cannot.
fn listen(options: &ServeOptions) -> Option<(std::net::TcpListener, std::net::SocketAddr)> {
    let listener = match std::net::TcpListener::bind((options.bind.as_str(), options.port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!(
                "error: cannot listen on {}:{}: {e}\n   = help: choose another port with --port N (0 picks a free one)",
                options.bind, options.port
            );
            return None;
        }
    };
    let Ok(local) = listener.local_addr() else {
        eprintln!("error: cannot read the address listened on");
        return None;
    };
    Some((listener, local))
}

/// Starts the threads that answer requests and keep event streams alive.
fn start_serving(
    listener: std::net::TcpListener,
    shared: &Arc<Shared>,
    bind: &str,
    local: std::net::SocketAddr,
) {
    {
        let shared = Arc::clone(shared);
        let hosts = Arc::new(conn::Hosts::new(bind, local));
        std::thread::spawn(move || conn::serve(listener, shared, hosts));
    }
    let shared = Arc::clone(shared);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(15));
        shared.keep_alive();
    });
}

/// Tells the user where the site is served, and opens a browser when asked.
fn announce(options: &ServeOptions, root: &Path, local: std::net::SocketAddr, base: &str) {
    let addr = match local {
        std::net::SocketAddr::V6(v6) => format!("[{}]:{}", v6.ip(), v6.port()),
        v4 => v4.to_string(),
    };
    let url = format!("http://{addr}{}", http::encode_path(base));
    println!("Serving {} at {url}", root.display());
    if !local.ip().is_loopback() {
        println!("Note: listening beyond this computer; anyone who can reach it sees drafts too.");
    }
    println!("Watching for changes; press Ctrl-C to stop.");
    let _ = std::io::stdout().flush();
    if options.open {
        open_browser(&url);
    }
}

/// Watches the inputs and updates the site after each change, until the watcher goes (0).
fn watch(
    root: &Path,
    session: &mut Session,
    shared: &Shared,
    loop_state: &mut LoopState,
    printer: &mut Printer,
) -> i32 {
    let (tx, rx) = std::sync::mpsc::channel::<WatchEvent>();
    let mut watcher = match notify::recommended_watcher(move |event: WatchEvent| {
        let _ = tx.send(event);
    }) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("warning: cannot watch files ({e}); serving without live reload");
            loop {
                std::thread::park();
            }
        }
    };
    let mut watched: Vec<PathBuf> = Vec::new();
    let added = watch_inputs(&mut watcher, root, session, &mut watched);
    // Anything saved while the first build ran is picked up now.
    let update = guarded(session, |s| s.refresh(&added));
    if update.kind != UpdateKind::Unchanged {
        show(shared, session, &update, loop_state, printer);
    }
    loop {
        let Some((paths, rescan)) = next_change(&rx) else {
            return 0;
        };
        let update = guarded(session, |s| {
            if rescan {
                s.rescan()
            } else {
                s.refresh(&paths)
            }
        });
        show(shared, session, &update, loop_state, printer);
        // A folder that appeared is watched from now on; what was written into it before the
        // watch began is read now.
        let added = watch_inputs(&mut watcher, root, session, &mut watched);
        if !added.is_empty() {
            let update = guarded(session, |s| s.refresh(&added));
            show(shared, session, &update, loop_state, printer);
        }
    }
}

/// Publishes an update and reports it on the terminal.
fn show(
    shared: &Shared,
    session: &Session,
    update: &Update,
    loop_state: &mut LoopState,
    printer: &mut Printer,
) {
    publish(shared, session, update, loop_state);
    printer.report(update);
}

/// Runs one build step; a panic inside it (a bug) is reported like a build error and the next
/// change rebuilds everything, so the server keeps running.
fn guarded(session: &mut Session, step: impl FnOnce(&mut Session) -> Update) -> Update {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(session))) {
        Ok(update) => update,
        Err(panic) => {
            session.reset();
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            Update::internal_error(&message)
        }
    }
}

/// Whether an event can mean that a file's contents, or the set of files, changed. Opening and
/// reading files (which the build itself does) cannot.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// Waits for the next change and gathers the events that follow it until the file system has
/// been quiet for [`DEBOUNCE`] (at most [`MAX_DELAY`]). Returns the paths touched and whether
/// events were lost (then everything is read again). None when the watcher has gone.
pub fn next_change(rx: &Receiver<WatchEvent>) -> Option<(Vec<PathBuf>, bool)> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut rescan = false;
    let mut take = |event: WatchEvent, paths: &mut Vec<PathBuf>| -> bool {
        match event {
            Ok(e) if e.need_rescan() => {
                rescan = true;
                true
            }
            Ok(e) if is_change(&e.kind) => {
                paths.extend(e.paths);
                true
            }
            Ok(_) => false,
            Err(_) => {
                rescan = true;
                true
            }
        }
    };
    loop {
        let event = rx.recv().ok()?;
        if take(event, &mut paths) {
            break;
        }
    }
    let started = std::time::Instant::now();
    let mut quiet_since = std::time::Instant::now();
    while quiet_since.elapsed() < DEBOUNCE && started.elapsed() < MAX_DELAY {
        match rx.recv_timeout(DEBOUNCE.saturating_sub(quiet_since.elapsed())) {
            Ok(event) => {
                if take(event, &mut paths) {
                    quiet_since = std::time::Instant::now();
                }
            }
            Err(RecvTimeoutError::Timeout) => break,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
    paths.sort();
    paths.dedup();
    Some((paths, rescan))
}

struct LoopState {
    build: u64,
    base: String,
}

/// Makes the result of a build visible: the served folder, the status, and the events.
fn publish(shared: &Shared, session: &Session, update: &Update, state: &mut LoopState) {
    if let Some(base) = session.base_path() {
        if base != state.base {
            state.base = base.clone();
            if let Ok(mut b) = shared.base_path.write() {
                *b = base.clone();
            }
            println!("The site moved to {base} (base_url changed in site.yaml)");
        }
    }
    if let Ok(mut live) = shared.live.write() {
        *live = session.live_dir().map(Path::to_path_buf);
    }
    let changed = update.ok && (update.kind == UpdateKind::Full || !update.changed.is_empty());
    if changed {
        state.build += 1;
    }
    let status = Status {
        build: state.build,
        ok: update.ok,
        errors: update
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(DiagnosticView::of)
            .collect(),
        warnings: update.diagnostics.len()
            - update.diagnostics.iter().filter(|d| d.is_error()).count(),
    };
    let previous = shared.status.read().map(|s| s.clone()).unwrap_or_default();
    if let Ok(mut s) = shared.status.write() {
        *s = status.clone();
    }
    let json = serde_json::to_value(&status).unwrap_or_default();
    if !update.ok {
        if previous.ok || previous.errors != status.errors {
            shared.broadcast("errors", &json.to_string());
        }
    } else if changed {
        let mut json = json;
        json["all"] = serde_json::Value::Bool(update.kind == UpdateKind::Full);
        json["paths"] = serde_json::to_value(&update.changed).unwrap_or_default();
        shared.broadcast("reload", &json.to_string());
    } else if !previous.ok {
        shared.broadcast("ok", &json.to_string());
    }
}

/// Terminal output: each distinct set of diagnostics once, a line per update.
struct Printer {
    verbose: bool,
    last: Vec<Diagnostic>,
}

impl Printer {
    fn new(verbose: bool) -> Printer {
        Printer {
            verbose,
            last: Vec::new(),
        }
    }

    fn report(&mut self, update: &Update) {
        if self.verbose {
            for reason in &update.reasons {
                eprintln!("  {}", crate::diagnostics::printable(reason));
            }
        }
        if update.kind == UpdateKind::Unchanged && update.diagnostics == self.last {
            return;
        }
        let fixed = update.ok && self.last.iter().any(Diagnostic::is_error);
        if update.diagnostics != self.last {
            for d in &update.diagnostics {
                eprintln!("{d}\n");
            }
            self.last = update.diagnostics.clone();
            if fixed {
                eprintln!("the errors are fixed");
            }
        } else if !update.ok {
            eprintln!("(the same {} error(s) as before)", update.errors());
        }
        eprintln!("{}", update.summary());
    }
}

/// Watches the site root (not recursively: site.yaml and new top-level folders), every input
/// folder that exists, and the folder of a bibliography outside them.
fn watch_inputs(
    watcher: &mut impl Watcher,
    root: &Path,
    session: &Session,
    watched: &mut Vec<PathBuf>,
) -> Vec<PathBuf> {
    let mut added = Vec::new();
    let mut wanted: Vec<(PathBuf, RecursiveMode)> =
        vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    for dir in INPUT_DIRS {
        let path = root.join(dir);
        if path.is_dir() {
            wanted.push((path, RecursiveMode::Recursive));
        }
    }
    for extra in session.extra_inputs() {
        let Some(parent) = root.join(extra).parent().map(Path::to_path_buf) else {
            continue;
        };
        let covered = wanted.iter().any(|(w, mode)| {
            *w == parent || *mode == RecursiveMode::Recursive && parent.starts_with(w)
        });
        if parent.is_dir() && !covered {
            wanted.push((parent, RecursiveMode::NonRecursive));
        }
    }
    for (path, mode) in wanted {
        if watched.contains(&path) {
            continue;
        }
        if watcher.watch(&path, mode).is_ok() {
            watched.push(path.clone());
            added.push(path);
        }
    }
    // Folders that were deleted are dropped, so they are watched again when they come back.
    watched.retain(|p| p.is_dir());
    added
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        ("open", vec![url.to_string()])
    } else if cfg!(windows) {
        (
            "cmd",
            vec!["/C".into(), "start".into(), String::new(), url.into()],
        )
    } else {
        ("xdg-open", vec![url.to_string()])
    };
    if std::process::Command::new(command.0)
        .args(&command.1)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_err()
    {
        eprintln!("note: could not open a browser; visit {url}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_folder_is_new_and_private() {
        let parent = tempfile::tempdir().unwrap();
        let a = create_output_dir(parent.path()).unwrap();
        let b = create_output_dir(parent.path()).unwrap();
        assert_ne!(a, b, "each call makes a folder of its own");
        for dir in [&a, &b] {
            assert!(dir.is_dir() && dir.starts_with(parent.path()));
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let prefix = format!("realist-serve-{}-", std::process::id());
            assert!(name.starts_with(&prefix), "{name}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(dir).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o700, "{name}: only its owner may read it");
            }
        }
        assert!(create_output_dir(&parent.path().join("missing")).is_err());
    }
}
