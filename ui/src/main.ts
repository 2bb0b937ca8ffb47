// First: the start-up marks take the moment the script began.
import { bootSettings, markStartup } from "./lib/startup";
import { mount } from "svelte";
import App from "./app/App.svelte";
import { i18n } from "./lib/i18n/index.svelte";
import { useSystemFonts } from "./lib/fonts";
import "./styles/global.css";

markStartup("modules_ms");
// The user's language before the first render, so nothing is drawn twice.
if (bootSettings) i18n.lang = bootSettings.language;

// Files are dropped on the upload zones only (HTML5 drop: tauri.conf.json turns the
// native drag-drop off). A file dropped anywhere else must not make the webview open
// it in place of the app.
window.addEventListener("dragover", (e) => {
  if (e.defaultPrevented) return;
  e.preventDefault();
  if (e.dataTransfer) e.dataTransfer.dropEffect = "none";
});
window.addEventListener("drop", (e) => e.preventDefault());

useSystemFonts(document.documentElement);
const target = document.getElementById("app");
if (!target) throw new Error("#app missing from index.html");
const app = mount(App, { target });
markStartup("mounted_ms");
export default app;
