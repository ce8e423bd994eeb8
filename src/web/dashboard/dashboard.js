// The figures page: reads the range from the address, fetches the summary and the per-day series with the
// reviewer's session, and draws them with Chart.js (loaded before this module as a classic script). The header,
// the sign-in check and the reasons' names are the other pages' own (common.js).
import { reasonLabel, requireSession } from '/static/common.js';

await requireSession('review');

const $ = (id) => document.getElementById(id);
const DAY = 86_400_000;
const charts = {};

const pct = (r) => (r == null ? '–' : `${(r * 100).toFixed(1)}%`);
function duration(seconds) {
  if (seconds == null) return '–';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400 * 2) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}
const isoDay = (d) => d.toISOString().slice(0, 10);

/** The range in the address (?from=YYYY-MM-DD&to=YYYY-MM-DD, `to` inclusive); default: the last 7 days. */
function rangeFromAddress() {
  const params = new URLSearchParams(location.search);
  const to = params.get('to') ?? isoDay(new Date());
  const from = params.get('from') ?? isoDay(new Date(Date.parse(to) - 6 * DAY));
  return { from, to };
}

async function getJson(path) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    // Not signed in (or the session ran out): the sign-in page brings the reviewer back here.
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new Error('Sign in first: the figures need a reviewer session.');
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(body.message ?? `The service answered ${res.status}.`);
  }
  return res.json();
}

/** A chart with nothing to draw says why instead of showing empty axes. */
function draw(id, config, empty) {
  charts[id]?.destroy();
  delete charts[id];
  const canvas = $(id);
  const box = canvas.parentElement;
  box.querySelector('.empty')?.remove();
  canvas.hidden = !!empty;
  if (empty) {
    const note = document.createElement('p');
    note.className = 'empty';
    note.textContent = empty;
    box.append(note);
    return;
  }
  charts[id] = new Chart(canvas, {
    ...config,
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: config.type === 'doughnut' || config.data.datasets.length > 1 } },
      ...config.options,
    },
  });
}

const COLORS = ['#1f6feb', '#d1242f', '#bf8700', '#1a7f37', '#8250df', '#57606a', '#e16f24', '#0a7ea4'];
/** A queue's job states in colours that mean what they say: failed red, delayed amber, active blue. */
const STATE_COLORS = { waiting: '#57606a', active: '#1f6feb', delayed: '#bf8700', failed: '#d1242f' };
const sum = (values) => values.reduce((a, b) => a + b, 0);
const CHANNEL_NAMES = { api: 'API', upload: 'Upload page', email: 'E-mail', folder: 'Folder' };

/** Resolution times into buckets a reviewer thinks in. */
function resolutionBuckets(seconds) {
  const edges = [
    ['< 1 h', 3600],
    ['1–4 h', 4 * 3600],
    ['4–8 h', 8 * 3600],
    ['8–24 h', 24 * 3600],
    ['1–2 d', 48 * 3600],
    ['> 2 d', Number.POSITIVE_INFINITY],
  ];
  const counts = edges.map(() => 0);
  for (const s of seconds) counts[edges.findIndex(([, upper]) => s < upper)] += 1;
  return { labels: edges.map(([label]) => label), counts };
}

async function show() {
  const { from, to } = rangeFromAddress();
  const form = $('range');
  form.from.value = from;
  form.to.value = to;
  const query = `from=${from}T00:00:00Z&to=${isoDay(new Date(Date.parse(to) + DAY))}T00:00:00Z`;
  const [summary, daily] = await Promise.all([
    getJson(`/v1/metrics/summary?${query}`),
    getJson(`/v1/metrics/daily?${query}`),
  ]);

  $('received').textContent = summary.received;
  $('processed').textContent = summary.processed;
  $('stp').textContent = pct(summary.straightThroughRate);
  $('exceptions').textContent = `${summary.exceptions.count} · ${pct(summary.exceptions.rate)}`;
  $('resolution').textContent =
    `${duration(summary.resolution.medianSeconds)} · ${duration(summary.resolution.p90Seconds)}`;
  $('breaches').textContent = summary.sla.breaches;
  $('atRisk').textContent = summary.sla.open.atRisk;
  $('rework').textContent = `${summary.rework.count} · ${pct(summary.rework.rate)}`;
  $('accuracy').textContent = pct(summary.firstPassAccuracy.overall);
  $('failures').textContent = summary.failures.count;

  draw('stpChart', {
    type: 'line',
    data: {
      labels: daily.days.map((d) => d.date),
      datasets: [
        {
          label: 'Straight-through rate',
          data: daily.days.map((d) => (d.straightThroughRate == null ? null : d.straightThroughRate * 100)),
          borderColor: COLORS[0],
          backgroundColor: COLORS[0],
          spanGaps: true,
        },
      ],
    },
    options: { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } } },
  });
  // The reader learning from reviewers, day by day: the share of reviewed fields nobody had to correct.
  const accuracy = daily.days.map((d) =>
    d.firstPassAccuracy.overall == null ? null : Math.round(d.firstPassAccuracy.overall * 10000) / 100,
  );
  draw(
    'accuracyChart',
    {
      type: 'line',
      data: {
        labels: daily.days.map((d) => d.date),
        datasets: [
          {
            label: 'First-pass accuracy',
            data: accuracy,
            borderColor: COLORS[3],
            backgroundColor: COLORS[3],
            spanGaps: true,
          },
        ],
      },
      options: { scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } } },
    },
    accuracy.some((a) => a != null)
      ? null
      : 'No review was approved or rejected in these days, so no field was checked by a person.',
  );
  const reasons = Object.entries(summary.exceptions.byReason);
  draw(
    'reasonChart',
    {
      type: 'bar',
      data: {
        labels: reasons.map(([code]) => reasonLabel(code)),
        datasets: [{ label: 'Exceptions', data: reasons.map(([, n]) => n), backgroundColor: COLORS[1] }],
      },
      options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    reasons.length ? null : 'No document went to review in these days.',
  );
  const buckets = resolutionBuckets(summary.resolution.seconds);
  draw(
    'resolutionChart',
    {
      type: 'bar',
      data: {
        labels: buckets.labels,
        datasets: [{ label: 'Review rounds', data: buckets.counts, backgroundColor: COLORS[4] }],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    summary.resolution.seconds.length ? null : 'No review was approved or rejected in these days.',
  );
  const open = summary.sla.open;
  draw(
    'slaChart',
    {
      type: 'doughnut',
      data: {
        labels: ['Overdue', 'At risk', 'On time'],
        datasets: [
          {
            data: [open.overdue, open.atRisk, open.onTime],
            backgroundColor: ['#d1242f', '#bf8700', '#1a7f37'],
          },
        ],
      },
    },
    sum([open.overdue, open.atRisk, open.onTime])
      ? null
      : 'No review item is open right now, so none can be late: the chart fills as documents wait for review.',
  );
  const queues = Object.entries(summary.queues);
  const states = Object.keys(STATE_COLORS);
  draw('queueChart', {
    type: 'bar',
    data: {
      labels: queues.map(([name]) => name),
      datasets: states.map((state) => ({
        label: state,
        data: queues.map(([, counts]) => counts[state] ?? 0),
        backgroundColor: STATE_COLORS[state],
      })),
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  // The channels a person knows: how many came in by each, and how many of those needed nobody.
  const channels = Object.entries(summary.byChannel);
  draw(
    'channelChart',
    {
      type: 'bar',
      data: {
        labels: channels.map(([channel]) => CHANNEL_NAMES[channel] ?? channel),
        datasets: [
          { label: 'Received', data: channels.map(([, c]) => c.received), backgroundColor: COLORS[3] },
          {
            label: 'Straight through',
            data: channels.map(([, c]) => c.autoApproved),
            backgroundColor: COLORS[0],
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    sum(channels.map(([, c]) => c.received + c.processed)) ? null : 'No document came in these days.',
  );
  showStages(summary.approvals.stages);
  $('channels')
    .querySelector('tbody')
    .replaceChildren(
      ...channels.map(([channel, c]) => {
        const row = document.createElement('tr');
        row.dataset.channel = channel;
        for (const text of [
          CHANNEL_NAMES[channel] ?? channel,
          c.received,
          c.processed,
          pct(c.straightThroughRate),
        ]) {
          const cell = document.createElement('td');
          cell.textContent = String(text);
          row.append(cell);
        }
        return row;
      }),
    );
  $('figures').setAttribute('aria-busy', 'false');
}

/** One row per approval stage: what waits now, what was decided in these days, how late and how long. */
function showStages(stages) {
  const body = $('stages').tBodies[0];
  body.replaceChildren();
  $('stages').hidden = stages.length === 0;
  $('stages-empty').hidden = stages.length > 0;
  for (const s of stages) {
    const row = body.insertRow();
    const cells = [
      s.name,
      s.pending,
      s.overdue,
      s.approved,
      s.rejected,
      s.slaBreaches,
      `${duration(s.medianSeconds)} · ${duration(s.meanSeconds)}`,
    ];
    for (const [i, value] of cells.entries()) {
      const cell = i === 0 ? document.createElement('th') : row.insertCell();
      if (i === 0) {
        cell.scope = 'row';
        row.append(cell);
      }
      cell.textContent = String(value);
      if ((i === 2 || i === 5) && value > 0) cell.className = 'late';
    }
  }
}

$('range').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const params = new URLSearchParams({ from: form.from.value, to: form.to.value });
  history.pushState(null, '', `?${params}`);
  run();
});
window.addEventListener('popstate', run);

function run() {
  $('message').hidden = true;
  show().catch((error) => {
    $('message').textContent = error.message;
    $('message').hidden = false;
  });
}

// Chart.js is a deferred classic script; modules run after deferred scripts, so it is there.
run();
