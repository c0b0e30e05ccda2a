//! `vedetta validate`.

pub fn execute(args: crate::cli::ValidateArgs) -> i32 {
    let _ = args;
    eprintln!("vedetta validate: not built yet");
    crate::cli::exit::HARNESS
}
