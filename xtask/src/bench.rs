pub fn run(_root: &std::path::Path) -> anyhow::Result<()> {
    anyhow::bail!("bench: not wired yet")
}
