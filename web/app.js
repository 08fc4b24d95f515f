// Placeholder operator page: shows server readiness and keeps a WebSocket open.
// The full operator UI (player, overlays, weighing panel, journal) replaces this.
const $ = (id) => document.getElementById(id);

async function loadStatus() {
  const res = await fetch('/readyz');
  const body = await res.json();
  const list = $('components');
  list.replaceChildren();
  for (const [name, c] of Object.entries(body.components)) {
    const li = document.createElement('li');
    li.textContent = `${name}: ${c.state}${c.detail ? ' — ' + c.detail : ''}`;
    li.className = c.state;
    list.append(li);
  }
  const timeline = $('timeline');
  timeline.replaceChildren();
  for (const e of body.startup) {
    const li = document.createElement('li');
    li.textContent = `${e.event}: +${e.ms.toFixed(1)} ms`;
    timeline.append(li);
  }
  const v = await (await fetch('/api/version')).json();
  $('version').textContent = `${v.name} ${v.version}`;
}

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    $('conn').textContent = 'online';
    $('conn').className = 'badge ok';
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['server'] }));
  };
  ws.onclose = () => {
    $('conn').textContent = 'offline';
    $('conn').className = 'badge bad';
    setTimeout(connect, 1000);
  };
}

loadStatus().catch((e) => { $('components').textContent = String(e); });
connect();
