//! The man pages and shell completions under `man/`, generated from the clap definition.
//! A test fails when the committed files are stale; `scripts/gen-docs` rewrites them.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use clap::CommandFactory;

    use crate::cli::Cli;

    fn man_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../man")
    }

    /// Every generated file: the top page, one per subcommand, and the completions.
    fn generated() -> Vec<(PathBuf, Vec<u8>)> {
        let command = Cli::command();
        let mut files = Vec::new();
        let mut page = |command: clap::Command, file: String| {
            let mut out = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut out)
                .expect("render man page");
            files.push((man_dir().join(file), out));
        };
        page(command.clone(), "xrdisplay.1".into());
        for sub in command.get_subcommands() {
            let name = format!("xrdisplay-{}", sub.get_name());
            page(sub.clone().name(name.clone()), format!("{name}.1"));
        }
        for (shell, file) in [
            (clap_complete::Shell::Bash, "xrdisplay.bash"),
            (clap_complete::Shell::Zsh, "_xrdisplay"),
            (clap_complete::Shell::Fish, "xrdisplay.fish"),
        ] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "xrdisplay", &mut out);
            files.push((man_dir().join("completions").join(file), out));
        }
        files
    }

    #[test]
    fn committed_man_pages_and_completions_are_current() {
        let update = std::env::var_os("XRDISPLAY_UPDATE_DOCS").is_some();
        let mut stale = Vec::new();
        for (path, content) in generated() {
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &content).unwrap();
            } else if std::fs::read(&path).ok().as_ref() != Some(&content) {
                stale.push(path.display().to_string());
            }
        }
        assert!(stale.is_empty(), "stale, run scripts/gen-docs: {stale:?}");
    }

    #[test]
    fn the_man_page_lists_the_exit_codes() {
        let page = std::fs::read_to_string(man_dir().join("xrdisplay.1")).unwrap();
        assert!(
            page.contains("Exit codes"),
            "exit codes missing from man/xrdisplay.1"
        );
    }
}
