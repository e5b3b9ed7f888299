// csms-emulator web console: a small page over the emulator's own JSON routes. Every
// action is an ordinary request (so the journal records it and credentials apply); the
// page keeps no state of its own beyond what it shows. Values are fetched only when a
// "Reveal" button asks for one.
"use strict";

const TOKEN_KEY = "csms-console-token";
const PAGE_SIZE = 50;
const main = () => document.getElementById("main");

// ---------- DOM building: text is always set as text, never parsed as HTML ----------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function show(...nodes) {
  const target = main();
  target.replaceChildren(...nodes);
}

function time(ms) {
  if (ms === null || ms === undefined) return "—";
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().replace(".000Z", "Z");
}

function badge(text, kind) {
  return h("span", { class: "badge" + (kind ? " badge-" + kind : "") }, text);
}

function table(headers, rows, testid) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "data-testid": testid },
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, "Nothing here.")))
    )
  );
}

function notice(text, isError) {
  const el = document.getElementById("notice");
  el.textContent = text;
  el.className = "notice" + (isError ? " notice-error" : "");
  el.hidden = !text;
}

// ---------- requests ----------

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error_msg ? `${body.error_code}: ${body.error_msg}` : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["X-Auth-Token"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (_) {
      parsed = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

function tokenForm(error) {
  const input = h("input", { id: "token", type: "password", autocomplete: "off", "aria-describedby": "token-help" });
  return h(
    "section",
    { class: "card" },
    h("h1", {}, "Credentials needed"),
    h("p", { id: "token-help" }, `The emulator runs with --auth enforce (${error.message}). Give a --token that is not bound to a project (it opens the control API and every project); it is kept for this tab only.`),
    h(
      "form",
      {
        onsubmit: (e) => {
          e.preventDefault();
          sessionStorage.setItem(TOKEN_KEY, input.value);
          route();
        },
      },
      h("label", { for: "token" }, "X-Auth-Token"),
      input,
      h("button", { type: "submit" }, "Use it")
    )
  );
}

// Runs a view; a refused credential shows the token form, other errors a notice.
async function guarded(view) {
  try {
    await view();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      show(tokenForm(error));
    } else {
      show(h("section", { class: "card" }, h("h1", {}, "Something went wrong"), h("p", { class: "error" }, error.message)));
    }
  }
}

// Runs an action, then re-renders the current view; errors become a notice. An action
// may return a message to show instead of its description.
async function act(description, action) {
  try {
    const message = await action();
    notice(typeof message === "string" ? message : description);
  } catch (error) {
    notice(`${description} failed: ${error.message}`, true);
  }
  await route(false);
}

const enc = encodeURIComponent;
const projectPath = (p) => `/v1/${enc(p)}`;
const secretPath = (p, name) => `${projectPath(p)}/secrets/${enc(name)}`;

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A filter form's submit: its non-empty fields become the query of `base`.
function filterTo(base) {
  return (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const [k, v] of new FormData(e.target)) if (v) next.set(k, v);
    location.hash = `${base}?${next}`;
  };
}

// A button that downloads the state as a fixture.
function exportButton(label, query, filename, testid) {
  return h("button", {
    type: "button",
    "data-testid": testid,
    onclick: async () => {
      try {
        const fixture = await api("GET", `/_emulator/export${query}`);
        download(filename, JSON.stringify(fixture, null, 2), "application/json");
      } catch (error) {
        notice(`Export failed: ${error.message}`, true);
      }
    },
  }, label);
}

// ---------- views ----------

async function projectsView() {
  const { projects } = await api("GET", "/_emulator/projects");
  const open = h("form", {
    class: "inline",
    onsubmit: (e) => {
      e.preventDefault();
      const id = e.target.elements.project.value.trim();
      if (id) location.hash = `#/p/${enc(id)}`;
    },
  },
  h("label", { for: "project-id" }, "Open a project by id"),
  h("input", { id: "project-id", name: "project", placeholder: "0123456789abcdef0123456789abcdef" }),
  h("button", { type: "submit" }, "Open"));
  show(
    h("h1", {}, "Projects"),
    table(
      ["Project", "Secrets"],
      projects.map((p) =>
        h("tr", {}, h("td", {}, h("a", { href: `#/p/${enc(p.project_id)}`, "data-testid": "project-link" }, p.project_id)), h("td", { class: "num" }, p.secrets))
      ),
      "projects"
    ),
    open
  );
}

function projectTabs(project, current) {
  const tabs = [
    ["secrets", "Secrets", `#/p/${enc(project)}`],
    ["events", "Events", `#/p/${enc(project)}/events`],
    ["records", "Notifications", `#/p/${enc(project)}/records`],
    ["tasks", "Rotation tasks", `#/p/${enc(project)}/tasks`],
  ];
  return h(
    "nav",
    { class: "tabs", "aria-label": "Project views" },
    tabs.map(([key, label, href]) => h("a", { href, "aria-current": key === current ? "page" : null }, label))
  );
}

async function secretsView(project, params) {
  const filter = {
    name: params.get("name") || "",
    state: params.get("state") || "",
    type: params.get("type") || "",
    tag: params.get("tag") || "",
  };
  const offset = Number(params.get("offset") || 0);
  const query = new URLSearchParams({ ...filter, offset, limit: PAGE_SIZE });
  const page = await api("GET", `/_emulator/projects/${enc(project)}/secrets?${query}`);
  const select = (name, label, options) =>
    h("label", {}, label, h("select", { name }, options.map((o) => h("option", { value: o, selected: o === filter[name] }, o || "any"))));
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Filter secrets",
      onsubmit: filterTo(`#/p/${enc(project)}`),
    },
    h("label", {}, "Name contains", h("input", { name: "name", value: filter.name, "data-testid": "filter-name" })),
    select("state", "State", ["", "ENABLED", "DISABLED", "PENDING_DELETE", "FROZEN"]),
    select("type", "Type", ["", "COMMON", "RDS-FG", "GaussDB-FG"]),
    h("label", {}, "Tag (key or key=value)", h("input", { name: "tag", value: filter.tag })),
    h("button", { type: "submit" }, "Filter")
  );
  const pageLink = (to, label) => {
    const next = new URLSearchParams({ ...filter, offset: to });
    for (const [k, v] of [...next]) if (!v || v === "0") next.delete(k);
    return h("a", { href: `#/p/${enc(project)}?${next}`, class: "button" }, label);
  };
  const last = Math.min(offset + page.secrets.length, page.total);
  show(
    h("h1", {}, "Project ", h("code", {}, project)),
    projectTabs(project, "secrets"),
    form,
    table(
      ["Name", "State", "Type", "Created", "SYSCURRENT", "Tags"],
      page.secrets.map((s) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/p/${enc(project)}/s/${enc(s.name)}`, "data-testid": "secret-link" }, s.name)),
          h("td", {}, badge(s.state, s.state === "ENABLED" ? "ok" : "warn")),
          h("td", {}, s.secret_type),
          h("td", {}, time(s.create_time)),
          h("td", {}, s.current_version || "—"),
          h("td", { class: "num" }, s.tags)
        )
      ),
      "secrets"
    ),
    h(
      "p",
      { class: "pager" },
      offset > 0 ? pageLink(Math.max(0, offset - PAGE_SIZE), "← Previous") : null,
      h("span", {}, page.total ? `${offset + 1}–${last} of ${page.total}` : "No secrets match."),
      last < page.total ? pageLink(offset + PAGE_SIZE, "Next →") : null
    )
  );
}

function revealCell(project, name, id) {
  const cell = h("td", { class: "value" });
  const button = h(
    "button",
    {
      type: "button",
      class: "small",
      "data-testid": `reveal-${id}`,
      onclick: async () => {
        try {
          const { version } = await api("GET", `${secretPath(project, name)}/versions/${enc(id)}`);
          const value = version.secret_string !== undefined && version.secret_string !== null ? version.secret_string : `base64: ${version.secret_binary}`;
          cell.replaceChildren(
            h("code", { "data-testid": `value-${id}` }, value),
            h("button", { type: "button", class: "small", onclick: () => cell.replaceChildren(button) }, "Hide")
          );
        } catch (error) {
          notice(`Reveal failed: ${error.message}`, true);
        }
      },
    },
    "Reveal"
  );
  cell.append(button);
  return cell;
}

async function secretView(project, name) {
  const { secret } = await api("GET", secretPath(project, name));
  const [{ version_metadatas: versions }, tags] = await Promise.all([
    api("GET", `${secretPath(project, name)}/versions?limit=100`),
    api("GET", `${projectPath(project)}/csms/${enc(secret.id)}/tags`),
  ]);
  const facts = [
    ["Id", secret.id],
    ["State", badge(secret.state, secret.state === "ENABLED" ? "ok" : "warn")],
    ["Type", secret.secret_type],
    ["KMS key", secret.kms_key_id],
    ["Description", secret.description || "—"],
    ["Created", time(secret.create_time)],
    ["Updated", time(secret.update_time)],
    ["Deletion due", time(secret.scheduled_delete_time)],
    ["Auto rotation", secret.auto_rotation ? `every ${secret.rotation_period}, next ${time(secret.next_rotation_time)}` : "off"],
    ["Last value read", time(secret.last_used_time)],
    ["Events", (secret.event_subscriptions || []).join(", ") || "—"],
    ["Tags", (tags.tags || []).map((t) => badge(`${t.key}=${t.value}`))],
  ];
  const versionIds = versions.map((v) => v.id);
  const base = secretPath(project, name);
  const pending = secret.state === "PENDING_DELETE";
  const actions = h(
    "section",
    { class: "card actions", "aria-label": "Actions" },
    h("h2", {}, "Actions"),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e) => {
          e.preventDefault();
          const value = e.target.elements.value.value;
          act("New version added", () => api("POST", `${base}/versions`, { secret_string: value }));
        },
      },
      h("label", { for: "new-value" }, "New version value"),
      h("input", { id: "new-value", name: "value", autocomplete: "off", "data-testid": "new-value" }),
      h("button", { type: "submit", "data-testid": "add-version" }, "Add version")
    ),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e) => {
          e.preventDefault();
          const stage = e.target.elements.stage.value.trim();
          const version = e.target.elements.version.value;
          act(`${stage} moved to ${version}`, () => api("PUT", `${base}/stages/${enc(stage)}`, { version_id: version }));
        },
      },
      h("label", { for: "stage-name" }, "Move stage"),
      h("input", { id: "stage-name", name: "stage", value: "SYSCURRENT", list: "stage-names", "data-testid": "stage-name" }),
      h("datalist", { id: "stage-names" }, h("option", { value: "SYSCURRENT" }), h("option", { value: "SYSPREVIOUS" })),
      h("label", { for: "stage-version" }, "to"),
      h("select", { id: "stage-version", name: "version", "data-testid": "stage-version" }, versionIds.map((id) => h("option", { value: id }, id))),
      h("button", { type: "submit", "data-testid": "move-stage" }, "Move")
    ),
    pending
      ? h("p", {}, h("button", { type: "button", "data-testid": "restore", onclick: () => act("Deletion cancelled", () => api("POST", `${base}/scheduled-deleted-tasks/cancel`)) }, "Cancel the scheduled deletion"))
      : h(
          "form",
          {
            class: "inline",
            onsubmit: (e) => {
              e.preventDefault();
              const days = Number(e.target.elements.days.value);
              act(`Deletion scheduled in ${days} days`, () => api("POST", `${base}/scheduled-deleted-tasks/create`, { recovery_window_in_days: days }));
            },
          },
          h("label", { for: "days" }, "Schedule deletion in"),
          h("input", { id: "days", name: "days", type: "number", min: 7, max: 30, value: 7, "data-testid": "days" }),
          h("span", {}, "days"),
          h("button", { type: "submit", "data-testid": "schedule-deletion" }, "Schedule")
        ),
    h(
      "p",
      { class: "row" },
      h("button", {
        type: "button",
        "data-testid": "download-blob",
        onclick: async () => {
          try {
            const { secret_blob: blob } = await api("POST", `${base}/backup`);
            download(`${name}.blob`, blob, "text/plain");
            notice("Backup blob downloaded");
          } catch (error) {
            notice(`Backup failed: ${error.message}`, true);
          }
        },
      }, "Download backup blob"),
      h("button", {
        type: "button",
        class: "danger",
        "data-testid": "delete-now",
        onclick: async () => {
          if (!confirm(`Delete ${name} now? This cannot be undone.`)) return;
          try {
            await api("DELETE", base);
            notice(`${name} deleted`);
            location.hash = `#/p/${enc(project)}`;
          } catch (error) {
            notice(`Delete failed: ${error.message}`, true);
          }
        },
      }, "Delete now")
    )
  );
  show(
    h("p", { class: "crumbs" }, h("a", { href: `#/p/${enc(project)}` }, `← ${project}`)),
    h("h1", {}, "Secret ", h("code", { "data-testid": "secret-name" }, secret.name)),
    h("section", { class: "card" }, h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))),
    h("h2", {}, "Versions"),
    table(
      ["Version", "Stages", "Created", "Expires", "Value"],
      versions
        .slice()
        .reverse()
        .map((v) =>
          h(
            "tr",
            { "data-version": v.id },
            h("td", {}, v.id),
            h("td", { "data-testid": `stages-${v.id}` }, (v.version_stages || []).map((s) => badge(s, s === "SYSCURRENT" ? "ok" : null))),
            h("td", {}, time(v.create_time)),
            h("td", {}, time(v.expire_time)),
            pending ? h("td", { class: "muted" }, "not readable while deletion is pending") : revealCell(project, name, v.id)
          )
        ),
      "versions"
    ),
    actions
  );
}

async function listView(project, tab, path, key, headers, row) {
  const answer = await api("GET", `${projectPath(project)}/csms/${path}`);
  show(h("h1", {}, "Project ", h("code", {}, project)), projectTabs(project, tab), table(headers, (answer[key] || []).map(row), tab));
}

const eventsView = (project) =>
  listView(project, "events", "events?limit=100", "events", ["Name", "State", "Types", "Target", "Created"], (e) =>
    h("tr", {}, h("td", {}, e.name), h("td", {}, badge(e.state, e.state === "ENABLED" ? "ok" : null)), h("td", {}, (e.event_types || []).map((t) => badge(t))), h("td", {}, e.notification ? e.notification.target_name : "—"), h("td", {}, time(e.create_time)))
  );

const recordsView = (project) =>
  listView(project, "records", "notification-records?limit=100", "records", ["Time", "Event", "Type", "Secret", "Status"], (r) =>
    h("tr", {}, h("td", {}, time(r.create_time)), h("td", {}, r.event_name), h("td", {}, badge(r.trigger_event_type || r.event_type || "")), h("td", {}, r.secret_name), h("td", {}, r.notification_status || "—"))
  );

const tasksView = (project) =>
  listView(project, "tasks", "tasks?limit=100", "tasks", ["Time", "Secret", "Operation", "Status", "Error"], (t) =>
    h("tr", {}, h("td", {}, time(t.task_time)), h("td", {}, t.secret_name), h("td", {}, t.operate_type), h("td", {}, badge(t.task_status, t.task_status === "SUCCESS" ? "ok" : "warn")), h("td", {}, t.task_error_msg || "—"))
  );

// The journal refreshes on its own every two seconds until paused or left.
let journalTimer = null;
let journalPaused = false;

async function journalView(params) {
  const filter = { operation: params.get("operation") || "", status: params.get("status") || "", secret: params.get("secret") || "" };
  const { requests } = await api("GET", "/_emulator/journal?limit=500");
  const operations = [...new Set(requests.map((r) => r.operation).filter(Boolean))].sort();
  const shown = requests
    .filter((r) => !filter.operation || r.operation === filter.operation)
    .filter((r) => !filter.status || String(r.status).startsWith(filter.status))
    .filter((r) => !filter.secret || (r.secret || "").includes(filter.secret))
    .reverse();
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Filter requests",
      onsubmit: filterTo("#/journal"),
    },
    h("label", {}, "Operation", h("select", { name: "operation" }, ["", ...operations].map((o) => h("option", { value: o, selected: o === filter.operation }, o || "any")))),
    h("label", {}, "Status", h("input", { name: "status", value: filter.status, size: 4, placeholder: "4" })),
    h("label", {}, "Secret", h("input", { name: "secret", value: filter.secret })),
    h("button", { type: "submit" }, "Filter"),
    h("label", { class: "check" }, h("input", { type: "checkbox", id: "pause", checked: journalPaused, onchange: (e) => { journalPaused = e.target.checked; } }), "Pause")
  );
  show(
    h("h1", {}, "Journal"),
    form,
    table(
      ["Time", "Operation", "Project", "Secret", "Status", "Error code", "Latency"],
      shown.map((r) =>
        h(
          "tr",
          { "data-testid": "journal-row" },
          h("td", {}, time(r.time)),
          h("td", {}, r.operation || `${r.method} (unknown)`),
          h("td", {}, r.project || "—"),
          h("td", {}, r.secret || "—"),
          h("td", {}, badge(String(r.status), r.status < 400 ? "ok" : "warn")),
          h("td", {}, r.error_code || "—"),
          h("td", { class: "num" }, `${(r.latency_us / 1000).toFixed(1)} ms`)
        )
      ),
      "journal"
    )
  );
  scheduleJournalRefresh();
}

function scheduleJournalRefresh() {
  journalTimer = setTimeout(() => {
    if (!location.hash.startsWith("#/journal")) return;
    if (journalPaused) scheduleJournalRefresh();
    else route(false);
  }, 2000);
}

async function clockView() {
  const clock = await api("GET", "/_emulator/clock");
  const post = (description, body) =>
    act(description, async () => {
      const answer = await api("POST", "/_emulator/clock", body);
      return answer.due_work_ran === undefined ? description : `${description} — due work ran for ${answer.due_work_ran} secret(s)`;
    });
  show(
    h("h1", {}, "Clock"),
    h("section", { class: "card" }, h("dl", { class: "facts" }, h("dt", {}, "Now"), h("dd", { "data-testid": "clock-now" }, time(clock.now)), h("dt", {}, "Mode"), h("dd", { "data-testid": "clock-mode" }, clock.mode), h("dt", {}, "Offset from real time"), h("dd", {}, `${Math.round(clock.offset_ms / 1000)} s`))),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e) => {
          e.preventDefault();
          const by = e.target.elements.by.value.trim();
          post(`Advanced ${by}`, { advance: by });
        },
      },
      h("label", { for: "advance-by" }, "Advance by"),
      h("input", { id: "advance-by", name: "by", value: "1d", size: 6, "data-testid": "advance-by" }),
      h("button", { type: "submit", "data-testid": "advance" }, "Advance"),
      h("span", { class: "muted" }, "7d, 36h, 90m, 15s, 250ms; everything due on the way runs")
    ),
    h(
      "form",
      {
        class: "inline",
        onsubmit: (e) => {
          e.preventDefault();
          const at = Date.parse(e.target.elements.at.value + "Z");
          if (Number.isNaN(at)) return notice("Give a date and time (UTC)", true);
          post(`Set to ${time(at)}`, { set: at });
        },
      },
      h("label", { for: "set-at" }, "Set to (UTC)"),
      h("input", { id: "set-at", name: "at", type: "datetime-local", step: 1 }),
      h("button", { type: "submit" }, "Set")
    ),
    h(
      "p",
      { class: "row" },
      h("button", { type: "button", "data-testid": "freeze", disabled: clock.mode === "frozen", onclick: () => post("Clock frozen", { mode: "frozen" }) }, "Freeze"),
      h("button", { type: "button", "data-testid": "run", disabled: clock.mode === "real", onclick: () => post("Clock running", { mode: "real" }) }, "Run")
    )
  );
}

async function faultsView() {
  const { faults } = await api("GET", "/_emulator/faults");
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Add a fault rule",
      onsubmit: (e) => {
        e.preventDefault();
        const f = e.target.elements;
        const rule = { operation: f.operation.value.trim() || "*" };
        if (f.project.value.trim()) rule.project = f.project.value.trim();
        if (f.secret_pattern.value.trim()) rule.secret_pattern = f.secret_pattern.value.trim();
        if (f.latency_ms.value) rule.latency_ms = Number(f.latency_ms.value);
        else {
          rule.status = Number(f.status.value);
          rule.error_code = f.error_code.value.trim();
          if (f.error_msg.value.trim()) rule.error_msg = f.error_msg.value.trim();
        }
        if (f.times.value) rule.times = Number(f.times.value);
        act("Fault rule added", () => api("POST", "/_emulator/faults", rule));
      },
    },
    h("label", {}, "Operation", h("input", { name: "operation", value: "ShowSecretVersion", "data-testid": "fault-operation" })),
    h("label", {}, "Project", h("input", { name: "project" })),
    h("label", {}, "Secret pattern", h("input", { name: "secret_pattern", placeholder: "regex" })),
    h("label", {}, "Status", h("input", { name: "status", type: "number", value: 500, min: 400, max: 599, "data-testid": "fault-status" })),
    h("label", {}, "Error code", h("input", { name: "error_code", value: "CSMS.0001", "data-testid": "fault-code" })),
    h("label", {}, "Message", h("input", { name: "error_msg" })),
    h("label", {}, "Or latency (ms)", h("input", { name: "latency_ms", type: "number", min: 1 })),
    h("label", {}, "Times", h("input", { name: "times", type: "number", min: 1, "data-testid": "fault-times" })),
    h("button", { type: "submit", "data-testid": "add-fault" }, "Add rule")
  );
  show(
    h("h1", {}, "Faults"),
    table(
      ["Id", "Operation", "Project", "Secret pattern", "Effect", "Remaining", ""],
      faults.map((f) =>
        h(
          "tr",
          { "data-testid": "fault-row" },
          h("td", {}, f.id),
          h("td", {}, f.operation),
          h("td", {}, f.project || "any"),
          h("td", {}, f.secret_pattern || "any"),
          h("td", {}, f.action.kind === "error" ? `${f.action.status} ${f.action.error_code}` : `${f.action.latency_ms} ms late`),
          h("td", {}, f.remaining === null ? "always" : f.remaining),
          h("td", {}, h("button", { type: "button", class: "small", onclick: () => act(`Rule ${f.id} removed`, () => api("DELETE", `/_emulator/faults/${f.id}`)) }, "Remove"))
        )
      ),
      "faults"
    ),
    h("h2", {}, "Add a rule"),
    form
  );
}

async function smnView() {
  const [{ subscriptions }, { deliveries }] = await Promise.all([
    api("GET", "/_emulator/smn/subscriptions"),
    api("GET", "/_emulator/smn/deliveries"),
  ]);
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Add a subscription",
      onsubmit: (e) => {
        e.preventDefault();
        const f = e.target.elements;
        const body = { topic_urn: f.topic_urn.value.trim(), endpoint: f.endpoint.value.trim() };
        act("Subscription added", () => api("POST", "/_emulator/smn/subscriptions", body));
      },
    },
    h("label", {}, "Topic URN", h("input", { name: "topic_urn", required: true, placeholder: "urn:smn:region:project:topic", "data-testid": "smn-topic" })),
    h("label", {}, "Endpoint", h("input", { name: "endpoint", required: true, placeholder: "http://127.0.0.1:9000/hook", "data-testid": "smn-endpoint" })),
    h("button", { type: "submit", "data-testid": "add-subscription" }, "Subscribe")
  );
  show(
    h("h1", {}, "SMN"),
    h("p", {}, "Notifications of events whose target is a subscribed topic are POSTed, signed, to its endpoints. ",
      h("a", { href: "/_emulator/smn/signing-cert.pem" }, "Signing certificate")),
    h("h2", {}, "Subscriptions"),
    table(
      ["Subscription", "Topic", "Endpoint", "From", ""],
      subscriptions.map((s) =>
        h(
          "tr",
          { "data-testid": "subscription-row" },
          h("td", {}, h("code", {}, s.subscription_urn)),
          h("td", {}, s.topic_urn),
          h("td", {}, s.endpoint),
          h("td", {}, s.origin),
          h("td", {}, h("button", { type: "button", class: "small", onclick: () => act("Subscription removed", () => api("DELETE", `/_emulator/smn/subscriptions/${encodeURIComponent(s.subscription_urn)}`)) }, "Remove"))
        )
      ),
      "subscriptions"
    ),
    h("h2", {}, "Add a subscription"),
    form,
    h("h2", {}, "Latest delivery attempts"),
    table(
      ["Time", "Secret", "Event", "Endpoint", "Attempt", "Result"],
      deliveries.slice().reverse().map((d) =>
        h(
          "tr",
          { "data-testid": "delivery-row" },
          h("td", {}, time(d.time)),
          h("td", {}, d.secret_name),
          h("td", {}, badge(d.event_type)),
          h("td", {}, d.endpoint),
          h("td", {}, d.attempt),
          h("td", {}, d.delivered ? badge(`delivered ${d.status}`, "ok") : badge(d.error || "failed", "warn"))
        )
      ),
      "deliveries"
    )
  );
}

async function stateView() {
  show(
    h("h1", {}, "State"),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Export"),
      h("p", {}, "The whole state as a fixture, loadable with --seed."),
      h("p", { class: "row" },
        exportButton("Download fixture (no values)", "", "csms-fixture.json", "export"),
        exportButton("Download fixture with values", "?values=true", "csms-fixture-with-values.json"))
    ),
    h(
      "section",
      { class: "card" },
      h("h2", {}, "Reset"),
      h("p", {}, "Empties every project: secrets, events, grants, tasks."),
      h("button", { type: "button", class: "danger", "data-testid": "reset", onclick: () => {
        if (confirm("Reset the emulator? Every project is emptied.")) act("State reset", () => api("POST", "/_emulator/reset"));
      } }, "Reset everything")
    )
  );
}

// ---------- routing ----------

async function refreshClockBadge() {
  try {
    const clock = await api("GET", "/_emulator/clock");
    document.getElementById("clock-badge").textContent = `${time(clock.now)} · ${clock.mode}`;
  } catch (_) {
    document.getElementById("clock-badge").textContent = "";
  }
}

async function route(clearNotice = true) {
  clearTimeout(journalTimer);
  if (clearNotice) notice("");
  const hash = location.hash.slice(1) || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const link of document.querySelectorAll("[data-nav]")) {
    const section = parts[0] === "p" || parts.length === 0 ? "projects" : parts[0];
    link.setAttribute("aria-current", link.dataset.nav === section ? "page" : "false");
  }
  refreshClockBadge();
  await guarded(async () => {
    if (parts.length === 0) return projectsView();
    if (parts[0] === "p" && parts.length === 2) return secretsView(parts[1], params);
    if (parts[0] === "p" && parts[2] === "s" && parts.length === 4) return secretView(parts[1], parts[3]);
    if (parts[0] === "p" && parts[2] === "events") return eventsView(parts[1]);
    if (parts[0] === "p" && parts[2] === "records") return recordsView(parts[1]);
    if (parts[0] === "p" && parts[2] === "tasks") return tasksView(parts[1]);
    if (parts[0] === "journal") return journalView(params);
    if (parts[0] === "clock") return clockView();
    if (parts[0] === "faults") return faultsView();
    if (parts[0] === "smn") return smnView();
    if (parts[0] === "state") return stateView();
    show(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the projects")));
  });
}

window.addEventListener("hashchange", () => route());
window.addEventListener("DOMContentLoaded", () => route());
