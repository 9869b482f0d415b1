use crate::cli::ConfigArgs;
use crate::commands::{print_json, Context};
use crate::config::Settings;
use crate::exit::{Error, Result};

pub fn run(ctx: &Context, args: &ConfigArgs) -> Result<()> {
    let settings = Settings::resolve(&ctx.file_config()?)?;
    let file = ctx.config_path.as_ref().map(|p| p.display().to_string());
    if args.json {
        return print_json(&serde_json::json!({
            "file": file,
            "file_exists": ctx.config_path.as_ref().is_some_and(|p| p.exists()),
            "settings": settings.to_file_config(),
        }));
    }
    let source = match &ctx.config_path {
        Some(p) if p.exists() => format!("# from {} over the defaults", p.display()),
        Some(p) => format!("# defaults ({} does not exist)", p.display()),
        None => "# defaults (no configuration directory: neither XDG_CONFIG_HOME nor HOME is set)"
            .into(),
    };
    let text = toml::to_string(&settings.to_file_config())
        .map_err(|e| Error::runtime(format!("cannot encode TOML: {e}")))?;
    out!("{source}\n{}", text.trim_end());
    Ok(())
}
