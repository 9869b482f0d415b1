use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::Result;

pub fn run(args: &CompletionsArgs) -> Result<()> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "xrdisplay",
        &mut std::io::stdout(),
    );
    Ok(())
}
