//! `certdesk-ca`: the reference CA service and its operator commands.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
