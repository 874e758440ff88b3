import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./support";

// Every page at phone, laptop and wide widths, saved for people to look at.
const pages = [
  { name: "home", path: "/", heading: "How can we help?" },
  { name: "search", path: "/search?q=order", heading: "Results for “order”" },
  { name: "category", path: "/categories/orders-shipping", heading: "Orders & shipping" },
  { name: "article", path: "/articles/track-your-order", heading: "Track your order" },
  { name: "sign-in", path: "/sign-in", heading: "Sign in" },
  { name: "register", path: "/register", heading: "Create your account" },
  { name: "forgot-password", path: "/forgot-password", heading: "Reset your password" },
  { name: "contact", path: "/contact?subject=Parcel+late", heading: "Contact us" },
  { name: "search-no-results", path: "/search?q=xylophone", heading: "Results for “xylophone”" },
  { name: "not-found", path: "/no/such/page", heading: "We can’t find that page" },
];
const widths = [
  { label: "phone", width: 390, height: 844 },
  { label: "laptop", width: 1280, height: 800 },
  { label: "wide", width: 1920, height: 1080 },
];

/** Screenshots of one page at every width, checking that nothing sticks out sideways. */
async function shoot(page: Page, name: string, path: string, heading: string) {
  for (const { label, width, height } of widths) {
    await page.setViewportSize({ width, height });
    await page.goto(path);
    await page.locator("body[data-hydrated]").waitFor();
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `test-results/screenshots/${name}-${label}.png`, fullPage: true });
  }
}

for (const { name, path, heading } of pages) {
  test(`screenshots of ${name}`, async ({ page }) => {
    await shoot(page, name, path, heading);
  });
}

// Pages behind sign-in, each as the role it is for.
const signedInPages = [
  { login: "supervisor@northwind.test", name: "agent", path: "/agent?view=all", heading: "All unsolved" },
  { login: "admin@northwind.test", name: "admin", path: "/admin", heading: "Admin" },
  { login: "customer@northwind.test", name: "account", path: "/account", heading: "Your account" },
  { login: "customer@northwind.test", name: "requests", path: "/requests", heading: "My requests" },
  { login: "customer@northwind.test", name: "history", path: "/history", heading: "My history" },
  // A solved request (seeded second), asking for its rating.
  { login: "customer@northwind.test", name: "solved-request", path: "/requests/2", heading: "Parcel NW-20391 is two days late" },
];

for (const { login, name, path, heading } of signedInPages) {
  test(`screenshots of ${name}, signed in`, async ({ page }) => {
    await page.goto("/sign-in");
    await signIn(page, login);
    await expect(page.getByRole("banner").getByRole("button", { name: "Sign out" })).toBeVisible();
    await shoot(page, name, path, heading);
  });
}

test("dark theme screenshot of home", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  await page.locator("body[data-hydrated]").waitFor();
  await page.screenshot({ path: "test-results/screenshots/home-laptop-dark.png", fullPage: true });
});
