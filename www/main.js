// The page's entry point (index.html). It starts fetching and compiling the
// wasm at once, so that the download overlaps the loading of the page's own
// modules (page.js and its imports); with page.js as the entry, the fetch
// would start only once every one of them had arrived. (A <link
// rel="preload" as="fetch"> in index.html would overlap them too in Chrome and
// Firefox, but Safari does not hand such a preload to fetch() and downloads
// the wasm twice.)
//
// Both imports are dynamic, so neither waits for the other. page.js awaits
// the same load() (wasm.js starts the module once) and shows its failure.

import('./wasm.js').then(({ load }) => load()).catch(() => {});
import('./page.js');
