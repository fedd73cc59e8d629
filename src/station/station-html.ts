// The scan station's one HTML file: styles, the page's parts, its settings and the zxing WebAssembly as
// base64 (a separate .wasm cannot be fetched from a file:// page), and the bundled script last.

/** The first bytes of every station file, so a new one may replace an old one and nothing else. */
export const STATION_MARK = '<!doctype html>\n<!-- paperchart scan station -->';

const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 18px/1.35 system-ui, sans-serif; background: #f4f4f0; color: #111; }
header { display: flex; gap: 1rem; align-items: stretch; padding: .75rem; flex-wrap: wrap; }
#status { flex: 1 1 22rem; border-radius: .6rem; padding: .75rem 1rem; background: #fff; border: 4px solid #999; }
#status[data-tone=good] { border-color: #1a7f37; } #status[data-tone=warn] { border-color: #b7791f; }
#status[data-tone=bad] { border-color: #c53030; }
#status-big { font-size: 2.4rem; font-weight: 700; }
#status-small { font-size: 1.1rem; }
#rate { margin-top: .6rem; color: #666; font-size: .9rem; }
#summary { font-size: 1.5rem; font-weight: 600; margin: .3rem .75rem; }
#binder { margin: 0 .75rem; color: #555; }
video { width: 22rem; max-width: 100%; border-radius: .6rem; background: #000; }
.buttons { display: flex; flex-direction: column; gap: .5rem; }
button { font-size: 1.3rem; padding: .7rem 1.2rem; border-radius: .5rem; border: 2px solid #333; background: #fff; }
button#save { background: #1a7f37; color: #fff; border-color: #1a7f37; }
button#send { background: #1f4e99; color: #fff; border-color: #1f4e99; }
button:disabled { opacity: .4; } button[hidden] { display: none; }
ol { list-style: none; margin: .5rem .75rem; padding: 0; }
li.patient { background: #fff; margin: .35rem 0; padding: .55rem .8rem; border-radius: .5rem; border-left: 10px solid #bbb; }
li.complete { border-left-color: #1a7f37; } li.incomplete { border-left-color: #b7791f; }
li.failed { border-left-color: #c53030; } li.not-started { border-left-color: #bbb; }
.who { font-size: 1.35rem; font-weight: 600; }
.badge { display: inline-block; min-width: 8.5rem; margin-right: .8rem; font-weight: 700; }
li.complete .badge { color: #1a7f37; } li.failed .badge { color: #c53030; }
.detail { color: #333; }
#flash { position: fixed; inset: 0; pointer-events: none; opacity: 0; }
#flash.on { animation: flash .45s ease-out; }
.flash-new { background: #2ecc40; } .flash-repeat { background: #ffb300; } .flash-other { background: #ff4136; }
@keyframes flash { from { opacity: .55; } to { opacity: 0; } }
`;

const BODY = `
<div id="flash"></div>
<header>
  <div id="status" data-tone="idle"><div id="status-big"></div><div id="status-small"></div><div id="rate"></div></div>
  <video id="camera" muted playsinline></video>
  <div class="buttons">
    <button id="save" disabled>Save codes for restore</button>
    <button id="send" disabled hidden>Send to laptop</button>
    <button id="start">Start camera</button>
    <button id="clear">Start over</button>
  </div>
</header>
<div id="summary"></div>
<div id="binder"></div>
<ol id="patients"></ol>
`;

/** JSON or script text that cannot end its <script> element early. */
const scriptSafe = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/** The whole station page. `config` is the page's StationConfig; `script` the bundle; `wasm` zxing's reader. */
export function stationHtml(config: object, script: string, wasm: Uint8Array): string {
  return `${STATION_MARK}
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paperchart scan station</title>
<style>${STYLE}</style></head><body>${BODY}
<script id="station-config" type="application/json">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>
<script id="zxing-wasm" type="application/octet-stream">${Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength).toString('base64')}</script>
<script>${scriptSafe(script)}</script>
</body></html>
`;
}
