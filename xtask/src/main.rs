//! `cargo xtask <command>`: the project's developer commands. Each command installs
//! what a fresh Debian/Ubuntu machine lacks before it runs, so the README's two
//! commands work as written.

mod bench;
mod bindings;
mod demo;
mod deps;
mod package;
mod sh;
mod test;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "CertDesk developer commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the app against a sandbox reference CA and a SoftHSM2 virtual USBKey.
    Demo,
    /// Run every check and test: fmt, clippy, svelte-check, cargo test, vitest, end-to-end.
    Test {
        /// Skip the end-to-end suite through the real window.
        #[arg(long)]
        no_e2e: bool,
    },
    /// Print the performance tables (start-up, memory, size; token enrolment, presence)
    /// and issue 16's goals.
    Bench {
        /// Only start-up, memory and size (skips the token bench).
        #[arg(long)]
        startup_only: bool,
    },
    /// Regenerate ui/src/lib/ipc/bindings.ts and capabilities/*.json from crates/ipc and the shell's commands.
    Bindings,
    /// Install missing system, Python and npm packages only.
    Deps,
    /// Build the Linux packages (deb, rpm) into target/packages/.
    Package {
        /// Lint them: lintian, desktop-file-validate, appstreamcli, dependencies, %u.
        #[arg(long)]
        check: bool,
        /// Install the deb into a clean Debian 12 root (debootstrap) and start it under Xvfb.
        #[arg(long)]
        install_test: bool,
        /// Package a release build instead of the bundler's debug profile (≈ 12 min here).
        #[arg(long)]
        release: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let root = sh::workspace_root()?;
    match Cli::parse().command {
        Command::Demo => demo::run(&root),
        Command::Test { no_e2e } => test::run(&root, !no_e2e),
        Command::Bench { startup_only } => bench::run(&root, startup_only),
        Command::Bindings => bindings::write(&root),
        Command::Deps => deps::ensure_all(&root),
        Command::Package {
            check,
            install_test,
            release,
        } => package::run(
            &root,
            &package::Options {
                check,
                install_test,
                release,
            },
        ),
    }
}
