//! Writes the fuzz targets' starting corpus (`scripts/fuzz`): `fuzz-seeds DIR`.

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: fuzz-seeds DIR"))?;
    let written = provrum_tests::fuzzing::write_seeds(std::path::Path::new(&dir))?;
    println!("{written} seed inputs in {dir}");
    Ok(())
}
