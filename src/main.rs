fn main() -> std::process::ExitCode {
    vedetta::cli::main()
}
