// failscope's dashboard: a client of POST /rpc like any other (the method names and fields are those
// of rpc-schema/). It asks only what is cheap at millions of records: totals (htlcfailurestats, kept
// as summaries), one page of records, the held HTLCs, the rules and the status figures.
(function () {
  'use strict';

  var TOKEN_KEY = 'failscope.token';
  var PAGE_SIZE = 50;
  var TOP = 10;
  var MAX_BUCKETS = 48;
  var FAIL_CODES = ['temporary_node_failure', 'required_node_feature_missing', 'incorrect_or_unknown_payment_details',
    'invalid_onion_payload', 'temporary_channel_failure', 'permanent_channel_failure', 'unknown_next_peer',
    'channel_disabled', 'expiry_too_soon', 'amount_below_minimum', 'fee_insufficient', 'incorrect_cltv_expiry'];
  var COLOURS = ['#4a7fd6', '#e0823d', '#43a36b', '#c9473f', '#8a63c7', '#8c6b4f', '#d46fb4', '#7f7f7f', '#b5b832', '#3bb3c4',
    '#2f4f8f', '#f2b134', '#1c6e4a', '#9e2a2b', '#5c4a8a', '#d9a38f', '#6fa8dc', '#93c47d'];
  var NO_REASON = '(none)';

  // What the page shows, for whoever reads it programmatically (the browser test does).
  var state = window.failscope = { loaded: false, loads: 0, chart: null, top: null, held: [], failures: [], page: { start: null, history: [] } };
  var nextId = 1;
  var chart = null;

  function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }

  function RpcError(error) { this.name = 'RpcError'; this.message = error.message; this.code = error.code; this.data = error.data; }
  RpcError.prototype = Object.create(Error.prototype);

  function post(body) {
    var headers = { 'Content-Type': 'application/json' };
    if (token()) { headers.Authorization = 'Bearer ' + token(); }
    return fetch('/rpc', { method: 'POST', headers: headers, body: JSON.stringify(body) }).then(function (response) {
      if (response.status === 401) {
        $('token-form').hidden = false;
        throw new Error('this endpoint needs its bearer token');
      }
      return response.json();
    });
  }

  function rpc(method, params) {
    return post({ jsonrpc: '2.0', id: nextId++, method: method, params: params || {} }).then(function (answer) {
      if (answer.error) { throw new RpcError(answer.error); }
      return answer.result;
    });
  }

  // Several calls in one HTTP request (a JSON-RPC batch), answers in the calls' order.
  function batch(calls) {
    if (calls.length === 0) { return Promise.resolve([]); }
    var first = nextId;
    var body = calls.map(function (call) { return { jsonrpc: '2.0', id: nextId++, method: call[0], params: call[1] || {} }; });
    return post(body).then(function (answers) {
      if (!Array.isArray(answers)) { throw new RpcError(answers.error); }
      var byId = {};
      answers.forEach(function (answer) { byId[answer.id] = answer; });
      return body.map(function (request) {
        var answer = byId[request.id];
        if (!answer || answer.error) { throw new RpcError(answer ? answer.error : { message: 'no answer to ' + request.method }); }
        return answer.result;
      });
    });
  }

  function $(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function showError(error) {
    var box = $('error');
    box.textContent = error && error.message ? error.message : String(error);
    box.hidden = false;
  }

  function clearError() { $('error').hidden = true; }

  function number(value) { return value === undefined || value === null ? '' : Number(value).toLocaleString('en-US'); }

  function utc(seconds) { return seconds === undefined ? '' : new Date(Number(seconds) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ''); }

  function bytes(count) {
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var value = count;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return value.toFixed(unit === 0 ? 0 : 1) + ' ' + units[unit];
  }

  // ---- health (failscope-status)

  function renderHealth(status) {
    $('identity').textContent = 'failscope ' + status.version + ' · ' + status.dialect + (status.node.node_id ? ' · ' + status.node.node_id : '');
    var dropped = status.capture.dropped.queue_full + status.capture.dropped.store_failed;
    var rows = [
      ['records stored', number(status.store.records)],
      ['database size', bytes(status.store.database_bytes)],
      ['waiting to be written', number(status.store.queue_depth + status.capture.waiting)],
      ['dropped since start', number(dropped), dropped > 0 ? 'bad' : 'good'],
      ['hooks answered', number(status.hooks.answered)],
      ['hooks failed open', number(status.hooks.failed_open), status.hooks.failed_open > 0 ? 'bad' : 'good'],
      ['held now', number(status.hooks.held)],
      ['node RPC', status.node.rpc_failing ? 'failing: ' + (status.node.last_error || '') : 'ok', status.node.rpc_failing ? 'bad' : 'good'],
      ['node context age', status.node.context_age_seconds === undefined ? 'not read yet' : status.node.context_age_seconds + ' s'],
      ['policy rules', number(status.policy.rules)],
      ['uptime', Math.floor(status.uptime_seconds / 3600) + ' h ' + Math.floor(status.uptime_seconds % 3600 / 60) + ' min']
    ];
    var list = $('health');
    list.textContent = '';
    rows.forEach(function (row) {
      list.appendChild(el('dt', row[0]));
      list.appendChild(el('dd', row[1], row[2]));
    });
  }

  // ---- failures over time, stacked by reason (htlcfailurestats per time bucket, grouped by reason)

  function loadChart() {
    return rpc('htlcfailurestats', { group_by: 'day' }).then(function (days) {
      var filled = days.groups.filter(function (group) { return group.day !== null && group.count > 0; });
      if (filled.length === 0) { return { width: 86400, buckets: [] }; }
      if (filled.length > 2) {
        return { width: 86400, buckets: filled.slice(-MAX_BUCKETS).map(function (group) { return group.day; }) };
      }
      return rpc('htlcfailurestats', { group_by: 'hour', since: filled[0].day }).then(function (hours) {
        return { width: 3600, buckets: hours.groups.filter(function (group) { return group.hour !== null && group.count > 0; })
          .slice(-MAX_BUCKETS).map(function (group) { return group.hour; }) };
      });
    }).then(function (range) {
      return batch(range.buckets.map(function (start) {
        return ['htlcfailurestats', { group_by: 'reason', since: start, until: start + range.width }];
      })).then(function (answers) { return { width: range.width, buckets: range.buckets, answers: answers }; });
    }).then(function (data) {
      var reasons = {};
      data.answers.forEach(function (answer, i) {
        answer.groups.forEach(function (group) {
          var name = group.reason === null ? NO_REASON : group.reason;
          if (!reasons[name]) { reasons[name] = data.buckets.map(function () { return 0; }); }
          reasons[name][i] += group.count;
        });
      });
      state.chart = { bucket_seconds: data.width, buckets: data.buckets, reasons: reasons };
      drawChart(state.chart);
    });
  }

  function drawChart(data) {
    var names = Object.keys(data.reasons).sort(function (a, b) { return total(data.reasons[b]) - total(data.reasons[a]); });
    $('chart-empty').hidden = data.buckets.length > 0;
    $('chart-range').textContent = data.buckets.length === 0 ? '' : (data.bucket_seconds === 3600 ? 'per hour' : 'per day') + ', UTC';
    if (chart) { chart.destroy(); chart = null; }
    if (data.buckets.length === 0) { return; }
    // stacked: each reason's bar reaches the sum of it and the reasons below it; the tallest is drawn first
    var stacked = [];
    var running = data.buckets.map(function () { return 0; });
    names.slice().reverse().forEach(function (name) {
      running = running.map(function (sum, i) { return sum + data.reasons[name][i]; });
      stacked.unshift(running.slice());
    });
    var bars = uPlot.paths.bars({ size: [0.7, 80], align: 0 });
    var series = [{ label: 'time' }].concat(names.map(function (name, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {
        label: name, stroke: colour, fill: colour, width: 0, paths: bars, points: { show: false },
        value: function (u, value, seriesIndex, index) { return index === null ? '' : data.reasons[name][index]; }
      };
    }));
    var first = data.buckets[0];
    var last = data.buckets[data.buckets.length - 1];
    var options = {
      width: Math.max(400, $('chart-section').clientWidth - 40), height: 300, series: series,
      scales: { x: { time: true, range: function () { return [first - data.bucket_seconds / 2, last + data.bucket_seconds / 2]; } },
        y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.05)]; } } },
      axes: [{}, { size: 60 }],
      legend: { live: true }
    };
    chart = new uPlot(options, [data.buckets].concat(stacked), $('chart'));
  }

  function total(values) { return values.reduce(function (a, b) { return a + b; }, 0); }

  // ---- top outgoing channels and peers

  function renderTop(table, groups, key, measure, format) {
    var sorted = groups.filter(function (group) { return group[key] !== null && group[measure] > 0; })
      .sort(function (a, b) { return b[measure] - a[measure]; }).slice(0, TOP);
    var max = sorted.length ? sorted[0][measure] : 1;
    table.textContent = '';
    if (sorted.length === 0) {
      table.appendChild(el('tr')).appendChild(el('td', 'none'));
    }
    sorted.forEach(function (group) {
      var row = el('tr');
      var name = String(group[key]);
      var label = el('td', name.length > 20 ? name.slice(0, 10) + '…' + name.slice(-6) : name);
      label.title = name;
      row.appendChild(label);
      var value = el('td', format(group[measure]), 'num');
      row.appendChild(value);
      var barCell = el('td');
      var bar = el('span', null, 'bar');
      bar.style.width = Math.max(2, Math.round(80 * group[measure] / max)) + 'px';
      barCell.appendChild(bar);
      row.appendChild(barCell);
      table.appendChild(row);
    });
    return sorted.map(function (group) { return { key: group[key], value: group[measure] }; });
  }

  function loadTop() {
    return batch([['htlcfailurestats', { group_by: 'out_channel' }], ['htlcfailurestats', { group_by: 'peer_id' }]]).then(function (answers) {
      var msat = function (value) { return number(value) + ' msat'; };
      state.top = {
        channels_by_count: renderTop($('top-channels-count'), answers[0].groups, 'out_channel', 'count', number),
        channels_by_fee: renderTop($('top-channels-fee'), answers[0].groups, 'out_channel', 'missed_fee_msat', msat),
        peers_by_count: renderTop($('top-peers-count'), answers[1].groups, 'peer_id', 'count', number),
        peers_by_fee: renderTop($('top-peers-fee'), answers[1].groups, 'peer_id', 'missed_fee_msat', msat)
      };
      var select = $('filter-reason');
      var chosen = select.value;
      while (select.options.length > 1) { select.remove(1); }
      return rpc('htlcfailurestats', { group_by: 'reason' }).then(function (reasons) {
        reasons.groups.filter(function (group) { return group.reason !== null; }).forEach(function (group) {
          var option = el('option', group.reason + ' (' + number(group.count) + ')');
          option.value = group.reason;
          select.appendChild(option);
        });
        select.value = chosen;
      });
    });
  }

  // ---- held HTLCs: fail with a chosen code, or resume

  function loadHeld() {
    return rpc('listinterceptedhtlcs').then(function (answer) {
      state.held = answer.intercepted;
      var body = $('held').tBodies[0];
      body.textContent = '';
      $('held-empty').hidden = answer.intercepted.length > 0;
      answer.intercepted.forEach(function (htlc) {
        var row = el('tr');
        row.dataset.id = htlc.id;
        [htlc.id, htlc.rule, htlc.in_channel, htlc.out_channel || '', number(htlc.in_msat), htlc.blocks_left, utc(htlc.release_by)].forEach(function (text, i) {
          row.appendChild(el('td', text, i === 4 || i === 5 ? 'num' : null));
        });
        var actions = el('td');
        var code = el('select', null, 'fail-code');
        FAIL_CODES.forEach(function (name) {
          var option = el('option', name);
          option.value = name;
          code.appendChild(option);
        });
        var fail = el('button', 'Fail', 'fail');
        fail.type = 'button';
        fail.addEventListener('click', function () { act('failinterceptedhtlc', { id: htlc.id, code: code.value }); });
        var resume = el('button', 'Resume', 'resume');
        resume.type = 'button';
        resume.addEventListener('click', function () { act('resumeinterceptedhtlc', { id: htlc.id }); });
        actions.appendChild(code);
        actions.appendChild(fail);
        actions.appendChild(resume);
        row.appendChild(actions);
        body.appendChild(row);
      });
    });
  }

  function act(method, params) {
    clearError();
    rpc(method, params).then(function () {
      return Promise.all([loadHeld(), loadPolicy(), rpc('failscope-status').then(renderHealth)]);
    }).catch(showError);
  }

  // ---- policy rules with their match counts

  function loadPolicy() {
    return rpc('listpolicy').then(function (answer) {
      $('policy-file').textContent = answer.file ? 'from ' + answer.file : 'No policy file is configured.';
      var body = $('policy').tBodies[0];
      body.textContent = '';
      answer.rules.forEach(function (rule) {
        var row = el('tr');
        [rule.name, rule.action, rule.code || '', rule.dry_run ? 'yes' : 'no', number(rule.matched)].forEach(function (text, i) {
          row.appendChild(el('td', text, i === 4 ? 'num' : null));
        });
        body.appendChild(row);
      });
    });
  }

  // ---- the failures table: listhtlcfailures with the form's filters, a page at a time

  function filters() {
    var params = {};
    ['filter-reason', 'filter-type', 'filter-in-channel', 'filter-out-channel', 'filter-peer'].forEach(function (id) {
      var input = $(id);
      if (input.value.trim() !== '') { params[input.name] = input.value.trim(); }
    });
    ['filter-since', 'filter-until'].forEach(function (id) {
      var input = $(id);
      if (input.value !== '') { params[input.name] = Date.parse(input.value + 'Z') / 1000; }
    });
    return params;
  }

  function loadPage(start) {
    var params = filters();
    params.limit = PAGE_SIZE;
    if (start !== null && start !== undefined) {
      params.index = 'created';
      params.start = start;
    }
    return rpc('listhtlcfailures', params).then(function (answer) {
      state.page.start = start === undefined ? null : start;
      state.failures = answer.htlcfailures;
      renderFailures(answer.htlcfailures);
    });
  }

  function renderFailures(items) {
    var body = $('failures').tBodies[0];
    body.textContent = '';
    items.forEach(function (item) {
      var row = el('tr');
      row.dataset.reason = item.reason || NO_REASON;
      row.dataset.index = item.created_index;
      [item.created_index, utc(item.received_time), item.type, item.reason || NO_REASON, item.failcode_name || '', item.in_channel || '',
        item.out_channel || item.requested_out_channel || '', number(item.in_msat !== undefined ? item.in_msat : item.out_msat), number(item.fee_msat)]
        .forEach(function (text, i) { row.appendChild(el('td', text, i === 0 || i >= 7 ? 'num' : null)); });
      row.appendChild(el('td', item.reason_detail, 'detail'));
      body.appendChild(row);
    });
    $('page-info').textContent = items.length === 0 ? 'no matching failures'
      : 'records ' + items[0].created_index + ' to ' + items[items.length - 1].created_index;
    $('page-next').disabled = items.length < PAGE_SIZE;
    $('page-prev').disabled = state.page.history.length === 0;
  }

  // The newest record's index: listhtlcfailures pages forward only, so probe for the end, starting
  // from the record count (indexes start at 1, so the newest is at least that); each probe is one
  // lookup of one record by its index. Two probes when nothing was deleted.
  function newestIndex() {
    function probe(start) {
      return rpc('listhtlcfailures', { index: 'created', start: start, limit: 1 }).then(function (answer) {
        return answer.htlcfailures.length ? answer.htlcfailures[0].created_index : null;
      });
    }
    // low exists; nothing is at or after limit
    function narrow(low, limit) {
      if (limit - low <= 1) { return Promise.resolve(low); }
      var middle = Math.floor((low + limit) / 2);
      return probe(middle).then(function (found) {
        return found === null ? narrow(low, middle) : narrow(found, limit);
      });
    }
    function grow(known, step) {
      return probe(known + step).then(function (found) {
        return found === null ? narrow(known, known + step) : grow(found, step * 2);
      });
    }
    return rpc('failscope-status').then(function (status) {
      return probe(Math.max(0, status.store.records - 1));
    }).then(function (near) {
      return near !== null ? near : probe(0);
    }).then(function (known) {
      return known === null ? null : grow(known, 1);
    });
  }

  function loadNewestPage() {
    return newestIndex().then(function (newest) {
      state.page.history = [];
      if (newest === null) { return loadPage(null); }
      var start = Math.max(0, newest - PAGE_SIZE + 1);
      if (Object.keys(filters()).length > 0) {
        // with filters, where the newest matches start is found by reading back from the newest record
        return loadNewestFiltered(newest);
      }
      if (start > 0) { state.page.history.push(Math.max(0, start - PAGE_SIZE)); }
      return loadPage(start);
    });
  }

  // Steps back in ever wider windows of indexes until a page's worth of matches lies between the
  // window's start and the newest match (or the window reaches the first record).
  function loadNewestFiltered(newest) {
    function forward(start, previous) {
      var params = Object.assign(filters(), { index: 'created', start: start, limit: 10000 });
      return rpc('listhtlcfailures', params).then(function (answer) {
        var items = answer.htlcfailures;
        if (items.length === 10000) { return forward(items[items.length - 1].created_index + 1, items); }
        return previous.slice(-2 * PAGE_SIZE).concat(items).slice(-2 * PAGE_SIZE);
      });
    }
    function tryWindow(width) {
      var start = Math.max(0, newest - width + 1);
      return forward(start, []).then(function (page) {
        return page.length < 2 * PAGE_SIZE && start > 0 ? tryWindow(width * 8) : page;
      });
    }
    return tryWindow(PAGE_SIZE * 8).then(function (found) {
      // the page, and the start of the page before it when the window held one
      var page = found.slice(-PAGE_SIZE);
      var before = found.slice(0, -PAGE_SIZE);
      state.page.start = page.length ? page[0].created_index : null;
      state.page.history = before.length ? [before[0].created_index] : [];
      state.failures = page;
      renderFailures(page);
    });
  }

  function exportFile(format) {
    var query = new URLSearchParams();
    var params = filters();
    Object.keys(params).forEach(function (name) { query.append(name, params[name]); });
    var headers = {};
    if (token()) { headers.Authorization = 'Bearer ' + token(); }
    fetch('/export.' + format + '?' + query.toString(), { headers: headers }).then(function (response) {
      if (!response.ok) { return response.json().then(function (answer) { throw new RpcError(answer.error); }); }
      return response.blob();
    }).then(function (blob) {
      var link = el('a');
      link.href = URL.createObjectURL(blob);
      link.download = 'htlcfailures.' + format;
      document.body.appendChild(link);
      link.click();
      link.remove();
    }).catch(showError);
  }

  // ---- wiring

  function loadAll() {
    clearError();
    state.loaded = false;
    return Promise.all([
      rpc('failscope-status').then(renderHealth),
      loadChart(),
      loadTop(),
      loadHeld(),
      loadPolicy(),
      loadNewestPage()
    ]).then(function () {
      state.loads++;
      state.loaded = true;
      document.body.dataset.loads = String(state.loads);
    }).catch(showError);
  }

  $('refresh').addEventListener('click', loadAll);
  $('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token-form').hidden = true;
    loadAll();
  });
  $('filters').addEventListener('submit', function (event) {
    event.preventDefault();
    clearError();
    state.page.history = [];
    loadNewestPage().then(function () { document.body.dataset.filtered = String(Date.now()); }).catch(showError);
  });
  $('filter-clear').addEventListener('click', function () {
    $('filters').reset();
    state.page.history = [];
    loadNewestPage().catch(showError);
  });
  $('page-next').addEventListener('click', function () {
    var items = state.failures;
    if (items.length === 0) { return; }
    state.page.history.push(state.page.start === null ? 0 : state.page.start);
    loadPage(items[items.length - 1].created_index + 1).catch(showError);
  });
  $('page-prev').addEventListener('click', function () {
    if (state.page.history.length === 0) { return; }
    loadPage(state.page.history.pop()).catch(showError);
  });
  $('page-first').addEventListener('click', function () {
    state.page.history = [];
    loadPage(null).catch(showError);
  });
  $('page-last').addEventListener('click', function () { loadNewestPage().catch(showError); });
  $('export-csv').addEventListener('click', function () { exportFile('csv'); });
  $('export-jsonl').addEventListener('click', function () { exportFile('jsonl'); });
  window.addEventListener('resize', function () { if (chart) { chart.setSize({ width: Math.max(400, $('chart-section').clientWidth - 40), height: 300 }); } });

  loadAll();
}());
