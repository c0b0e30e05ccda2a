//! `vedetta inbox`.

pub fn execute(args: crate::cli::InboxArgs) -> i32 {
    let _ = args;
    eprintln!("vedetta inbox: not built yet");
    crate::cli::exit::HARNESS
}
