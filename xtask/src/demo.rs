pub fn run(_root: &std::path::Path) -> anyhow::Result<()> {
    anyhow::bail!("demo: not wired yet")
}
