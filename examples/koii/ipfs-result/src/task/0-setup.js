export async function setup() {
  console.log("ipfs-result: ready");
}
