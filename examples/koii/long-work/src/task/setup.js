export async function setup() {
  console.log("long-work: setup");
}
