// Creates the sandboxed iframe for sandboxed.html from its `?src=` (a path on
// this server only; set as a property, never as HTML).
const src = new URLSearchParams(location.search).get('src') || '../../../index.html?embed=1';
const url = new URL(src, location.href);
if (url.origin === location.origin) {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = 'normscope figure';
  frame.width = '800';
  frame.height = '500';
  frame.src = url.href;
  document.body.append(frame);
}
