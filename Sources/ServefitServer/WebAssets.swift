import Hummingbird
import NIOCore

/// The web page: plain HTML, CSS and JavaScript served by the server itself (no build step, no CDN).
enum WebAssets {
    static func response(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let index = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>servefit</title>
        <link rel="stylesheet" href="/assets/app.css">
        </head>
        <body>
        <header>
          <h1>servefit</h1>
          <p>Which GPU, how many, at what precision, and what a million tokens cost.</p>
          <label class="token">API token <input id="token" type="password" placeholder="only if the server asks for one"></label>
        </header>
        <main>
        <section id="rank-section">
          <h2>Rank deployments</h2>
          <form id="rank-form">
            <label>Model <select id="model" name="model" required></select></label>
            <label>Input tokens <input name="input" type="number" min="0" value="1024"></label>
            <label>Output tokens <input name="output" type="number" min="0" value="256"></label>
            <label>Max TPOT <input name="max-tpot" type="text" pattern="[0-9]+(\\.[0-9]+)?(us|ms|s|min)" placeholder="e.g. 50ms" title="a duration with its unit: 50ms, 2s"></label>
            <label>Max TTFT <input name="max-ttft" type="text" pattern="[0-9]+(\\.[0-9]+)?(us|ms|s|min)" placeholder="e.g. 2s" title="a duration with its unit: 50ms, 2s"></label>
            <label>Formats <input name="formats" value="fp16,fp8,int4"></label>
            <label>Traffic (req/s) <input name="traffic" type="number" min="0" step="any" placeholder="none"></label>
            <label>Provider <input name="provider" placeholder="any"></label>
            <label>Top <input name="top" type="number" min="1" value="15"></label>
            <button type="submit">Rank</button>
          </form>
          <p id="rank-status" class="status"></p>
          <div id="chart"></div>
          <table id="rank-table"></table>
        </section>
        <section id="catalog-section">
          <h2>Catalog</h2>
          <nav>
            <button data-tab="models" class="tab active">Models</button>
            <button data-tab="gpus" class="tab">GPUs</button>
            <button data-tab="prices" class="tab">Current prices</button>
            <button data-tab="scenarios" class="tab">Scenarios</button>
            <button data-tab="measurements" class="tab">Measurements</button>
          </nav>
          <div id="check-chart"></div>
          <table id="catalog-table"></table>
        </section>
        </main>
        <script src="/assets/app.js"></script>
        </body>
        </html>
        """

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 0; color: #1d2430; background: #f7f8fa; }
        header { background: #1d2430; color: #fff; padding: 12px 24px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
        header h1 { margin: 0; font-size: 22px; }
        header p { margin: 0; opacity: .8; }
        header .token { margin-left: auto; font-size: 13px; }
        main { padding: 16px 24px; }
        section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; overflow-x: auto; }
        h2 { font-size: 17px; margin: 4px 0 12px; }
        form { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; }
        label { display: flex; flex-direction: column; font-size: 12px; color: #4a5568; gap: 2px; }
        input, select { font-size: 14px; padding: 4px 6px; border: 1px solid #c3cad5; border-radius: 4px; }
        input[type=number] { width: 90px; }
        button { font-size: 14px; padding: 6px 14px; border: 1px solid #2b6cb0; background: #2b6cb0; color: #fff; border-radius: 4px; cursor: pointer; }
        button.tab { background: #fff; color: #2b6cb0; }
        button.tab.active { background: #2b6cb0; color: #fff; }
        nav { display: flex; gap: 6px; margin-bottom: 10px; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 10px; }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #edf0f4; white-space: nowrap; }
        th { background: #f0f3f7; position: sticky; top: 0; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        .status { font-size: 13px; color: #4a5568; min-height: 1em; }
        .error { color: #c53030; }
        #chart svg text { font-size: 12px; fill: #1d2430; }
        #chart svg rect { fill: #2b6cb0; }
        #check-chart svg text { font-size: 11px; fill: #1d2430; }
        #check-chart svg .axis { stroke: #1d2430; }
        #check-chart svg .ideal { stroke: #9aa5b1; stroke-dasharray: 4 3; }
        #check-chart svg circle { fill: #c05621; fill-opacity: 0.8; }
        """

    static let script = #"""
        'use strict';
        const $ = (s) => document.querySelector(s);
        const tokenInput = $('#token');
        tokenInput.value = localStorage.getItem('servefit-token') || '';
        tokenInput.addEventListener('change', () => { localStorage.setItem('servefit-token', tokenInput.value); loadModels(); showTab(currentTab); });

        async function api(path) {
          const headers = {};
          if (tokenInput.value) headers['Authorization'] = 'Bearer ' + tokenInput.value;
          const r = await fetch(path, { headers });
          const body = await r.json();
          if (!r.ok) throw new Error(body.detail || body.error || r.statusText);
          return body;
        }
        function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
        function gib(b) { return b == null ? '-' : (b / 2 ** 30).toFixed(2) + ' GiB'; }
        function money(x) { return x == null || !isFinite(x) ? '-' : '$' + (x < 1 ? x.toFixed(3) : x.toFixed(2)); }
        function ms(x) { return x == null ? '-' : (x >= 1000 ? (x / 1000).toFixed(2) + ' s' : x.toFixed(x < 10 ? 1 : 0) + ' ms'); }
        function fill(table, columns, rows) {
          table.replaceChildren();
          const head = el('tr');
          for (const [name, , num] of columns) head.appendChild(el('th', name, num ? 'num' : ''));
          table.appendChild(head);
          for (const row of rows) {
            const tr = el('tr');
            for (const [, f, num] of columns) tr.appendChild(el('td', String(f(row)), num ? 'num' : ''));
            table.appendChild(tr);
          }
        }

        async function loadModels() {
          try {
            const models = await api('/v1/models');
            const sel = $('#model');
            const keep = sel.value;
            sel.replaceChildren();
            for (const m of models) { const o = el('option', m.slug); o.value = m.slug; sel.appendChild(o); }
            sel.value = keep || (models.find(m => m.slug === 'llama-3.1-8b-instruct') || models[0] || {}).slug || '';
          } catch (e) { $('#rank-status').textContent = e.message; $('#rank-status').className = 'status error'; }
        }

        function chart(rows) {
          const box = $('#chart');
          box.replaceChildren();
          const key = rows.some(r => r.usd_per_hour_at_traffic != null) ? 'usd_per_hour_at_traffic' : 'usd_per_million_tokens';
          const data = rows.filter(r => r[key] != null && isFinite(r[key]));
          if (!data.length) return;
          const ns = 'http://www.w3.org/2000/svg';
          const w = 760, bar = 20, gap = 6, left = 230, right = 80;
          const h = data.length * (bar + gap) + 30;
          const svg = document.createElementNS(ns, 'svg');
          svg.setAttribute('width', w); svg.setAttribute('height', h); svg.setAttribute('role', 'img');
          svg.setAttribute('aria-label', 'cost per million output tokens');
          const max = Math.max(...data.map(r => r[key]));
          const title = document.createElementNS(ns, 'text');
          title.setAttribute('x', 0); title.setAttribute('y', 14); title.textContent = key === 'usd_per_hour_at_traffic' ? 'USD per hour to carry the traffic' : 'USD per million output tokens';
          svg.appendChild(title);
          data.forEach((r, i) => {
            const y = 24 + i * (bar + gap);
            const label = document.createElementNS(ns, 'text');
            label.setAttribute('x', 0); label.setAttribute('y', y + bar - 6);
            label.textContent = `${r.gpu} ×${r.gpu_count} ${r.weights}`;
            const rect = document.createElementNS(ns, 'rect');
            const len = Math.max(2, (w - left - right) * r[key] / max);
            rect.setAttribute('x', left); rect.setAttribute('y', y); rect.setAttribute('width', len); rect.setAttribute('height', bar);
            const value = document.createElementNS(ns, 'text');
            value.setAttribute('x', left + len + 6); value.setAttribute('y', y + bar - 6); value.textContent = money(r[key]);
            svg.append(label, rect, value);
          });
          box.appendChild(svg);
        }

        $('#rank-form').addEventListener('submit', async (ev) => {
          ev.preventDefault();
          const params = new URLSearchParams();
          for (const [k, v] of new FormData(ev.target)) {
            if (v === '') continue;
            params.set(k, v);  // durations carry their unit, as on the command line
          }
          const status = $('#rank-status');
          status.className = 'status'; status.textContent = 'ranking…';
          try {
            const r = await api('/v1/rank?' + params.toString());
            status.textContent = `${r.ranked.length} deployments shown, ${r.rejected.length} rejected`;
            chart(r.ranked);
            fill($('#rank-table'), [
              ['#', (x) => r.ranked.indexOf(x) + 1, true], ['GPU', x => x.gpu], ['n', x => x.gpu_count, true],
              ['weights', x => x.weights], ['batch', x => x.batch, true], ['per GPU', x => gib(x.per_gpu_bytes), true],
              ['TTFT', x => ms(x.ttft_ms), true], ['TPOT', x => ms(x.tpot_ms), true],
              ['out tok/s', x => Math.round(x.throughput_tokens_per_s), true], ['provider', x => x.provider || '-'],
              ['instance', x => x.instance ? `${x.instance} (${x.gpus_per_instance} GPU${x.gpus_per_instance === 1 ? '' : 's'})` : '-'],
              ['$/GPU-h', x => money(x.usd_per_gpu_hour), true], ['$/M out', x => money(x.usd_per_million_tokens), true],
              ['$/M blended', x => money(x.usd_per_million_tokens_blended), true],
            ].concat(r.query.traffic ? [['replicas', x => x.replicas ?? '-', true], ['$/h total', x => money(x.usd_per_hour_at_traffic), true],
              ['in flight', x => x.at_traffic ? x.at_traffic.in_flight.toFixed(1) : '-', true],
              ['TTFT p50/p90', x => !x.at_traffic ? '-' : (x.at_traffic.keeps_up ? `${ms(x.at_traffic.ttft_p50_ms)} / ${ms(x.at_traffic.ttft_p90_ms)}` : 'cannot keep up'), true],
              ['TPOT p50/p90', x => x.at_traffic && x.at_traffic.keeps_up ? `${ms(x.at_traffic.tpot_p50_ms)} / ${ms(x.at_traffic.tpot_p90_ms)}` : '-', true]] : []), r.ranked);
          } catch (e) { status.className = 'status error'; status.textContent = e.message; }
        });

        let currentTab = 'models';
        const tabs = {
          models: ['/v1/models', [['slug', m => m.slug], ['type', m => m.model_type], ['kind', m => m.kind],
                   ['params', m => m.params_total == null ? '?' : (m.params_total / 1e9).toFixed(2) + 'B', true],
                   ['layers', m => m.num_hidden_layers ?? '-', true], ['heads/kv', m => `${m.num_attention_heads ?? '-'}/${m.num_key_value_heads ?? '-'}`],
                   ['hf_repo', m => m.hf_repo || '-']]],
          gpus: ['/v1/gpus', [['slug', g => g.slug], ['name', g => g.name], ['memory', g => gib(g.memory_bytes), true],
                 ['GB/s', g => g.bandwidth_gb_per_s, true], ['bf16 TFLOPS', g => g.tflops.bf16 ?? g.tflops.fp16 ?? '-', true],
                 ['fp8 TFLOPS', g => g.tflops.fp8 ?? '-', true]]],
          prices: ['/v1/prices?latest=true', [['gpu', p => p.gpu], ['provider', p => p.provider], ['pricing', p => p.pricing_model],
                   ['$/GPU-h', p => money(p.usd_per_gpu_hour), true], ['as of', p => p.as_of]]],
          scenarios: ['/v1/scenarios', [['name', s => s.name], ['model', s => s.model], ['updated', s => s.updated_at || '-']]],
          measurements: ['/v1/measurements', [['id', m => m.id, true], ['model', m => m.model + (m.variant ? ` (${m.variant})` : '')],
                         ['GPU', m => `${m.gpu} ×${m.gpu_count}`], ['engine', m => m.engine + (m.engine_version ? ' ' + m.engine_version : '')],
                         ['kind', m => m.kind], ['headline', m => headline(m)], ['source', m => m.source_name || '-']]],
        };
        function headline(m) {
          const f = m.figures || {};
          for (const k of ['output_tokens_per_s', 'gen_tokens_per_s', 'prompt_tokens_per_s', 'kv_tokens', 'gpu_blocks'])
            if (f[k] != null) return `${k} ${Math.round(f[k] * 10) / 10}`;
          return m.error ? m.error.slice(0, 60) : '-';
        }
        // Measured against predicted, one point per figure, on log axes with the y = x line: how far
        // the model is from the team's own runs (GET /v1/measurements/check).
        function checkChart(rows) {
          const box = $('#check-chart');
          box.replaceChildren();
          const data = rows.filter(r => r.measured > 0 && r.predicted > 0 && isFinite(r.measured) && isFinite(r.predicted));
          if (!data.length) return;
          const ns = 'http://www.w3.org/2000/svg', size = 360, pad = 46;
          const logs = data.flatMap(r => [Math.log10(r.measured), Math.log10(r.predicted)]);
          const lo = Math.floor(Math.min(...logs)), hi = Math.max(lo + 1, Math.ceil(Math.max(...logs)));
          const pos = (v) => pad + (Math.log10(v) - lo) / (hi - lo) * (size - 2 * pad);
          const svg = document.createElementNS(ns, 'svg');
          svg.setAttribute('width', size); svg.setAttribute('height', size); svg.setAttribute('role', 'img');
          svg.setAttribute('aria-label', 'measured against predicted');
          const line = (x1, y1, x2, y2, cls) => { const l = document.createElementNS(ns, 'line');
            l.setAttribute('x1', x1); l.setAttribute('y1', y1); l.setAttribute('x2', x2); l.setAttribute('y2', y2); l.setAttribute('class', cls); return l; };
          const text = (x, y, t, anchor) => { const e = document.createElementNS(ns, 'text');
            e.setAttribute('x', x); e.setAttribute('y', y); if (anchor) e.setAttribute('text-anchor', anchor); e.textContent = t; return e; };
          svg.append(line(pad, size - pad, size - pad, size - pad, 'axis'), line(pad, pad, pad, size - pad, 'axis'),
                     line(pad, size - pad, size - pad, pad, 'ideal'));
          for (let d = lo; d <= hi; d++) {
            const v = 10 ** d, p = pos(v);
            svg.append(text(p, size - pad + 16, String(v), 'middle'), text(pad - 6, size - p + 4, String(v), 'end'));
          }
          svg.append(text(size / 2, size - 6, 'predicted', 'middle'), text(12, 14, 'measured'));
          for (const r of data) {
            const c = document.createElementNS(ns, 'circle');
            c.setAttribute('cx', pos(r.predicted)); c.setAttribute('cy', size - pos(r.measured)); c.setAttribute('r', 4);
            const t = document.createElementNS(ns, 'title');
            t.textContent = `${r.model} on ${r.gpu} (${r.engine}), ${r.metric}: measured ${r.measured}, predicted ${Math.round(r.predicted * 100) / 100} (×${r.factor})`;
            c.appendChild(t);
            svg.appendChild(c);
          }
          box.appendChild(svg);
        }
        async function showTab(name) {
          currentTab = name;
          document.querySelectorAll('button.tab').forEach(b => b.classList.toggle('active', b.dataset.tab === name));
          $('#check-chart').replaceChildren();
          try {
            const [path, cols] = tabs[name];
            fill($('#catalog-table'), cols, await api(path));
            if (name === 'measurements') checkChart(await api('/v1/measurements/check'));
          } catch (e) { $('#catalog-table').replaceChildren(el('tr', e.message, 'error')); }
        }
        document.querySelectorAll('button.tab').forEach(b => b.addEventListener('click', () => showTab(b.dataset.tab)));
        // A link can carry a question: /?model=llama-3.1-8b-instruct&max-tpot=50ms ranks at once.
        loadModels().then(() => {
          const params = new URLSearchParams(location.search);
          showTab(tabs[params.get('tab')] ? params.get('tab') : 'models');
          if (!params.get('model')) return;
          const form = $('#rank-form');
          for (const [k, v] of params) { if (form.elements[k]) form.elements[k].value = v; }
          form.requestSubmit();
        });
        """#
}
