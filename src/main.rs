use clap::Parser;

fn main() {
    let cli = busfit::cli::Cli::parse();
    std::process::exit(busfit::cli::run(cli));
}
