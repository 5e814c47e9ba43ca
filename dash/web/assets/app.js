// weblogctl top --web: draws each snapshot the server sends (/events).
"use strict";
const SVG = "http://www.w3.org/2000/svg";
let source = null;

function $(id) { return document.getElementById(id); }

function human(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(1) + "G";
  if (n >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text; // text, never markup: log values are hostile
  if (cls) td.className = cls;
  tr.appendChild(td);
}

function rows(id, items) {
  const body = $(id).tBodies[0];
  body.replaceChildren();
  for (const it of items || []) {
    const tr = document.createElement("tr");
    cell(tr, String(it.count), "count");
    cell(tr, it.key, "key");
    body.appendChild(tr);
  }
}

function bars(id, values) {
  const svg = $(id);
  svg.replaceChildren();
  const top = Math.max(1, ...values);
  const w = 600 / values.length;
  values.forEach((v, i) => {
    if (!v) return;
    const r = document.createElementNS(SVG, "rect");
    const h = 80 * v / top;
    r.setAttribute("x", i * w); r.setAttribute("width", Math.max(w - 0.5, 0.5));
    r.setAttribute("y", 80 - h); r.setAttribute("height", h);
    r.setAttribute("class", "bar");
    svg.appendChild(r);
  });
}

function classBar(classes) {
  const svg = $("classbar");
  svg.replaceChildren();
  const total = classes.reduce((s, c) => s + c.count, 0);
  let x = 0;
  for (const c of classes) {
    if (!total || !c.count) continue;
    const w = 600 * c.count / total;
    const r = document.createElementNS(SVG, "rect");
    r.setAttribute("x", x); r.setAttribute("width", w); r.setAttribute("y", 0); r.setAttribute("height", 20);
    r.setAttribute("class", "c" + c.key);
    svg.appendChild(r);
    x += w;
  }
}

function draw(s) {
  $("title").textContent = s.title;
  $("requests").textContent = String(s.requests);
  $("rps").textContent = human(s.rps);
  $("bytes").textContent = human(s.bytes);
  $("bps").textContent = human(s.bps);
  $("unparsed").textContent = String(s.unparsed);
  $("latency").textContent = s.latency ? [s.latency.p50_ms, s.latency.p90_ms, s.latency.p99_ms].map(human).join(" / ") + " ms" : "–";
  bars("rate", s.rate);
  bars("byterate", s.byte_rate);
  classBar(s.classes || []);
  for (const [id, items] of [["classes", s.classes], ["statuses", s.statuses]]) {
    const body = $(id).tBodies[0];
    body.replaceChildren();
    for (const it of items || []) {
      const tr = document.createElement("tr");
      cell(tr, it.key, "key");
      cell(tr, String(it.count), "count");
      body.appendChild(tr);
    }
  }
  rows("paths", s.paths);
  rows("referrers", s.referrers);
  rows("ips", s.ips);
  rows("uas", s.uas);
  const hosts = $("hosts").tBodies[0];
  hosts.replaceChildren();
  let stale = 0;
  for (const h of s.hosts || []) {
    const tr = document.createElement("tr");
    tr.className = h.state;
    if (h.state === "stale" || h.state === "failed") stale++;
    cell(tr, h.name, "key");
    cell(tr, h.state);
    cell(tr, String(h.requests), "count");
    cell(tr, human(h.rps), "count");
    cell(tr, String(h["4xx"]), "count");
    cell(tr, String(h["5xx"]), "count");
    cell(tr, h.error || "");
    hosts.appendChild(tr);
  }
  const st = $("status");
  st.textContent = "updated " + new Date(s.at).toLocaleTimeString() + " · window " + s.window + (stale ? " · " + stale + " host(s) stale" : "");
  st.className = stale ? "stale" : "";
}

function connect(win) {
  if (source) source.close();
  for (const b of document.querySelectorAll("#windows button")) b.className = b.dataset.window === win ? "on" : "";
  source = new EventSource("events?window=" + encodeURIComponent(win));
  source.onmessage = (e) => draw(JSON.parse(e.data));
  source.onerror = () => { $("status").textContent = "connection to weblogctl lost; retrying…"; $("status").className = "stale"; };
}

for (const b of document.querySelectorAll("#windows button")) b.addEventListener("click", () => connect(b.dataset.window));
if (window.topSnapshot) draw(window.topSnapshot);
connect("all");
