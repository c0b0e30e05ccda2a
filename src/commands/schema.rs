//! `vedetta schema`: the journey language's JSON Schema, for editors.

pub fn execute() -> i32 {
    let schema = crate::journey::journey_schema();
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).expect("a JSON value serializes")
    );
    crate::cli::exit::PASSED
}
