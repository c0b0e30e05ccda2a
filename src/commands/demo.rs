//! `vedetta demo`.

pub fn execute(args: crate::cli::DemoArgs) -> i32 {
    let _ = args;
    eprintln!("vedetta demo: not built yet");
    crate::cli::exit::HARNESS
}
