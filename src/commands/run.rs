//! `vedetta run`.

pub fn execute(args: crate::cli::RunArgs) -> i32 {
    let _ = args;
    eprintln!("vedetta run: not built yet");
    crate::cli::exit::HARNESS
}
