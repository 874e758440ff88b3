import { expect, test } from "@playwright/test";
import { signedIn, visitorRequest } from "./support";

test("an agent adds an identity, merges a duplicate profile after a preview, and the undo restores both", async ({ browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const work = `lina-${stamp}@example.test`;
  const home = `lina.home-${stamp}@example.test`;
  const first = await visitorRequest(browser, "Lina Duarte", `Order never came ${stamp}`, work);
  const second = await visitorRequest(browser, "L. Duarte", `Where is my order ${stamp}`, home);

  const agent = await signedIn(browser, `/agent/tickets/${first}`, "agent@northwind.test");
  const panel = agent.getByRole("region", { name: /Lina Duarte/ });
  await expect(panel).toContainText(work);

  // A handle is added; the other address is refused, naming its profile, and the merge preview
  // for that profile appears in its place.
  await agent.getByLabel("Identity kind").selectOption("twitter");
  await agent.getByLabel("Address, number or handle").fill("@LinaD");
  await panel.getByRole("button", { name: "Add", exact: true }).click();
  await expect(panel).toContainText("linad");
  await agent.getByLabel("Identity kind").selectOption("email");
  await agent.getByLabel("Address, number or handle").fill(home);
  await panel.getByRole("button", { name: "Add", exact: true }).click();
  await expect(panel.getByRole("alert")).toContainText("belongs to L. Duarte");
  const preview = panel.getByRole("region", { name: "Merge preview" });
  await expect(preview).toContainText("L. Duarte");
  await expect(preview).toContainText("1 ticket");
  await expect(preview).toContainText(home);
  await agent.screenshot({ path: "test-results/screenshots/agent-merge-preview-laptop.png", fullPage: true });

  await preview.getByRole("button", { name: "Merge into this profile" }).click();
  await expect(panel.getByRole("link", { name: `Where is my order ${stamp}` })).toBeVisible();
  await expect(panel).toContainText(home);
  await expect(preview).toHaveCount(0);

  // Undo: the duplicate gets its address and its ticket back.
  await panel.getByRole("button", { name: "Undo the merge of L. Duarte" }).click();
  await expect(panel.getByRole("link", { name: `Where is my order ${stamp}` })).toHaveCount(0);
  await expect(panel).not.toContainText(home);
  await expect(panel).toContainText("linad");
  await agent.goto(`/agent/tickets/${second}`);
  const twin = agent.getByRole("region", { name: /L\. Duarte/ });
  await expect(twin).toContainText(home);
  await expect(twin).not.toContainText(work);

  // The profile's name and tier are edited in place.
  await agent.locator("body[data-hydrated]").waitFor();
  await twin.getByRole("button", { name: "Edit profile" }).click();
  await twin.getByLabel("Name").fill("Lina Duarte (home)");
  await twin.getByLabel("Tier").selectOption("premium");
  await twin.getByRole("button", { name: "Save" }).click();
  await expect(agent.getByRole("heading", { level: 2, name: /Lina Duarte \(home\)/ })).toContainText("premium");
  await agent.context().close();
});
