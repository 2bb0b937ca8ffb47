requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("first_render")));
