// First: the start-up marks take the moment the script began.
import { bootSettings, markStartup } from "./lib/startup";
import { mount } from "svelte";
import App from "./app/App.svelte";
import { i18n } from "./lib/i18n/index.svelte";
import { useSystemFonts } from "./lib/fonts";
import "./styles/global.css";

markStartup("modules_ms");

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
// The user's language before the first render, so nothing is drawn twice (Chinese stays
// if the English catalog cannot be loaded: an incomplete installation). Chinese is
// there already and mounts in a microtask, before anything is painted. Not a top-level
// await: that makes Rollup split the first script into many small files.
const language = bootSettings ? i18n.use(bootSettings.language) : Promise.resolve();
void language
  .catch(() => undefined)
  .then(() => {
    mount(App, { target });
    markStartup("mounted_ms");
  });
