//! Embeds every `personalities/*.yaml` file: adding a simulated platform is adding its file.

fn main() {
    netkeep_embed::embed_yaml_dir("personalities", "builtin_personalities.rs");
}
