//! `vedetta monitor`.

pub fn execute(args: crate::cli::MonitorArgs) -> i32 {
    let _ = args;
    eprintln!("vedetta monitor: not built yet");
    crate::cli::exit::HARNESS
}
