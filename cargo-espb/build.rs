// The binary embeds the bundled SDK headers and the project templates
// (include_dir!); rebuild it when they change.
fn main() {
    println!("cargo:rerun-if-changed=../sdk/include");
    println!("cargo:rerun-if-changed=../templates");
    println!("cargo:rerun-if-changed=../hints");
}
