// The operator's live page: plain JavaScript and SVG, no build step, no network beyond this server.
// Snapshots arrive by Server-Sent Events (/api/stream) every second; commands are POSTed as JSON
// after a confirmation dialog, and the module's answer (or refusal) is shown as it came.
"use strict";

const SERIES = [
  ["grid", "grid", "#2563eb"], ["solar", "PV", "#ca8a04"], ["battery", "battery", "#16a34a"],
  ["boiler", "boilers", "#c2410c"], ["load", "load", "#6b7280"],
];
const COMMANDS = {
  solar: [["start", {}], ["stop", {}], ["reset", {}]],
  boiler: [["start", {}], ["stop", {}], ["reset", {}]],
  battery: [["start_charging", {power_w: 1000, ttl_s: 60}, "charge 1 kW"],
            ["start_discharging", {power_w: 1000, ttl_s: 60}, "discharge 1 kW"], ["stop", {}], ["reset", {}]],
  meter: [],  // the grid meter is read, never commanded
};
const HOUR_S = 3600;
let history = [];
let latest = null;

const $ = (id) => document.getElementById(id);
const svg = (tag, attrs, text) => {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
};
const cell = (text, cls) => { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; };
const watts = (w) => (w === null || w === undefined) ? "–"
  : (Math.abs(w) < 1000 ? `${Math.round(w)} W` : `${(w / 1000).toFixed(2)} kW`);
const fixed = (v, digits, unit) => (v === null || v === undefined) ? "–" : `${Number(v).toFixed(digits)}${unit}`;
const when = (t) => new Date(t * 1000).toISOString().slice(11, 19);

function drawFlows(flows, assets) {
  const root = $("flows");
  root.replaceChildren();
  const count = (kind) => assets.filter((a) => a.kind === kind).length;
  const nodes = [
    ["grid", "grid", 70, 60, ""], ["solar", "PV", 260, 40, ` ×${count("solar")}`],
    ["battery", "battery", 450, 60, ` ×${count("battery")}`], ["boiler", "boilers", 450, 240, ` ×${count("boiler")}`],
    ["load", "load", 70, 240, ""],
  ];
  const bus = [260, 160];
  for (const [key, label, x, y, n] of nodes) {
    let w = flows[key];
    if (key === "load" && w !== null && w !== undefined) w = -w;  // the load takes from the bus
    const cls = (w === null || w === undefined || Math.abs(w) < 1) ? "idle" : (w > 0 ? "in" : "out");
    root.append(svg("line", {x1: x, y1: y, x2: bus[0], y2: bus[1], class: `flow ${cls}`}));
    const mx = (x + bus[0]) / 2, my = (y + bus[1]) / 2;
    const arrow = cls === "in" ? "→ bus" : (cls === "out" ? "← bus" : "");
    root.append(svg("text", {x: mx + 6, y: my - 4, "data-flow": key}, `${watts(Math.abs(w ?? 0))} ${arrow}`));
    root.append(svg("rect", {x: x - 45, y: y - 18, width: 90, height: 36, rx: 6, class: "node"}));
    root.append(svg("text", {x: x, y: y + 4, "text-anchor": "middle"}, label + n));
  }
  root.append(svg("circle", {cx: bus[0], cy: bus[1], r: 10, class: "bus"}));
}

function drawTable(id, values, units) {
  const table = $(id);
  table.replaceChildren();
  const entries = Object.entries(values || {});
  if (!entries.length) { const tr = table.insertRow(); tr.append(cell("none reported yet")); return; }
  for (const [name, value] of entries) {
    const tr = table.insertRow();
    tr.append(cell(name), cell(typeof value === "number" ? value.toLocaleString("en") : String(value), "num"));
  }
}

function drawAssets(assets) {
  const body = $("assets").tBodies[0];
  body.replaceChildren();
  for (const a of assets) {
    const tr = body.insertRow();
    tr.dataset.module = a.module;
    tr.className = a.stale ? "stale" : (a.state === "FAULT" ? "fault" : "");
    const setpoint = a.kind === "boiler" ? fixed(a.setpoint_c, 1, " °C") : (a.kind === "solar" ? watts(a.limit_w) : "–");
    tr.append(cell(a.module), cell(a.kind), cell(a.state + (a.fault_reason ? `: ${a.fault_reason}` : "") + (a.stale ? " (stale)" : "")),
      cell(watts(a.power_w), "num"), cell(a.soc === undefined ? "–" : fixed(a.soc * 100, 1, " %"), "num"),
      cell(fixed(a.temperature_c, 1, " °C"), "num"), cell(setpoint, "num"), cell(fixed(a.lease_remaining_s, 0, " s"), "num"));
    const td = cell("");
    for (const [method, payload, label] of (COMMANDS[a.kind] || [["stop", {}], ["reset", {}]])) {
      const b = document.createElement("button");
      b.textContent = label || method;
      b.dataset.command = `${a.module}.${method}`;
      b.onclick = () => confirmThen(`${label || method} ${a.module}?`, () => send("/api/method", {module: a.module, method, payload}));
      td.append(b);
    }
    tr.append(td);
  }
}

function drawEvents(events) {
  const list = $("events");
  list.replaceChildren();
  for (const e of events) {
    const li = document.createElement("li");
    li.className = e.kind;
    li.textContent = `${when(e.at)} ${e.kind} ${e.module}: ${e.text}`;
    list.append(li);
  }
  if (!events.length) { const li = document.createElement("li"); li.textContent = "nothing to report"; list.append(li); }
}

function drawChart() {
  const root = $("chart");
  root.replaceChildren();
  if (!history.length) return;
  const end = history[history.length - 1].t, start = end - HOUR_S;
  const points = history.filter((p) => p.t >= start);
  let lo = 0, hi = 0;
  for (const p of points) for (const [k] of SERIES) if (p[k] !== null && p[k] !== undefined) { lo = Math.min(lo, p[k]); hi = Math.max(hi, p[k]); }
  if (hi - lo < 1) hi = lo + 1;
  const x = (t) => ((t - start) / HOUR_S) * 720, y = (w) => 210 - ((w - lo) / (hi - lo)) * 200;
  root.append(svg("line", {x1: 0, x2: 720, y1: y(0), y2: y(0), stroke: "#9aa3b2", "vector-effect": "non-scaling-stroke"}));
  const legend = $("legend");
  legend.replaceChildren();
  for (const [, label, colour] of SERIES) {
    const span = document.createElement("span");
    span.style.color = colour;
    span.textContent = `■ ${label}`;
    legend.append(span);
  }
  const scale = document.createElement("span");
  scale.textContent = `scale ${watts(lo)} … ${watts(hi)}, ${when(start)}–${when(end)} UTC (+ into the bus)`;
  legend.append(scale);
  for (const [key, , colour] of SERIES) {
    const coords = points.filter((p) => p[key] !== null && p[key] !== undefined).map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`);
    root.append(svg("polyline", {points: coords.join(" "), stroke: colour, "data-series": key}));
  }
}

function render(snapshot) {
  latest = snapshot;
  $("clock").textContent = `site time ${new Date(snapshot.now * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC`;
  drawFlows(snapshot.flows, snapshot.assets);
  drawTable("limits", snapshot.limits);
  drawTable("guidance", snapshot.guidance);
  drawAssets(snapshot.assets);
  drawEvents(snapshot.events);
  if (snapshot.sample && (!history.length || snapshot.sample.t > history[history.length - 1].t)) history.push(snapshot.sample);
  while (history.length && history[0].t < snapshot.now - HOUR_S) history.shift();
  drawChart();
  const select = $("limit-name");
  if (!select.options.length) for (const name of Object.keys(snapshot.limits || {})) select.add(new Option(name, name));
}

function confirmThen(text, action) {
  const dialog = $("confirm");
  $("confirm-text").textContent = text;
  dialog.onclose = () => { if (dialog.returnValue === "ok") action(); };
  dialog.returnValue = "";
  dialog.showModal();
}

async function send(path, body) {
  const answer = $("answer");
  answer.className = "";
  answer.textContent = `sending ${JSON.stringify(body)}…`;
  try {
    const response = await fetch(path, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const result = await response.json();
    const status = result.status ?? response.status;
    const payload = result.payload ?? result;
    answer.className = status === 200 ? "accepted" : "refused";
    answer.textContent = `${status} ${status === 200 ? "accepted" : "refused"}\n${JSON.stringify(payload, null, 2)}`;
  } catch (error) {
    answer.className = "refused";
    answer.textContent = `not sent: ${error}`;
  }
}

$("limit-form").onsubmit = (event) => {
  event.preventDefault();
  const name = $("limit-name").value, value = Number($("limit-value").value);
  confirmThen(`set ${name} to ${value}?`, () => send("/api/limit", {name, value}));
};

async function connect() {
  try { history = await (await fetch("/api/history")).json(); } catch (e) { history = []; }
  const source = new EventSource("/api/stream");
  source.addEventListener("snapshot", (event) => render(JSON.parse(event.data)));
  source.onopen = () => { $("link").textContent = "live"; $("link").className = "link up"; };
  source.onerror = () => { $("link").textContent = "reconnecting"; $("link").className = "link down"; };
}
connect();
