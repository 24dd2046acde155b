//! Embeds every `platforms/*.yaml` file: adding a built-in platform is adding its file.

fn main() {
    netkeep_embed::embed_yaml_dir("platforms", "builtin_platforms.rs");
}
