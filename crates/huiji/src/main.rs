//! The huiji binary; everything it does lives in the library.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    huiji::run(std::env::args_os()).await
}
