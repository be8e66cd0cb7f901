// The dashboard's one script (served from the package; the pages work without it): draws the
// throughput charts with uPlot and keeps a job's state fresh while it is still moving. It reads
// JSON from the dashboard's API and writes only text (textContent), never HTML.
'use strict'
;(() => {
  const getJson = url => fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(res => {
    if (!res.ok) throw new Error(`${url} answered ${res.status}`)
    return res.json()
  })

  function drawThroughput (el) {
    const Plot = window.uPlot
    if (typeof Plot !== 'function') return
    getJson(el.getAttribute('data-src')).then(body => {
      const minutes = body.minutes
      const xs = minutes.map(m => m.at / 1000)
      const completed = minutes.map(m => m.completed)
      const failed = minutes.map(m => m.failed)
      el.textContent = ''
      const width = Math.max(320, Math.min(el.clientWidth || 720, 960))
      // eslint-disable-next-line no-new
      new Plot({
        width,
        height: 180,
        series: [
          {},
          { label: 'completed', stroke: '#2f7d32', width: 2 },
          { label: 'failed', stroke: '#c62828', width: 2 }
        ],
        axes: [{}, { label: 'jobs / min' }],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } }
      }, [xs, completed, failed], el)
      el.setAttribute('data-drawn', 'true')
    }).catch(err => {
      el.textContent = `Chart unavailable: ${err.message}`
    })
  }

  const MOVING = new Set(['waiting', 'active', 'delayed'])
  function followJob (el) {
    const timer = setInterval(() => {
      if (!MOVING.has(el.textContent)) { clearInterval(timer); return }
      getJson(el.getAttribute('data-src')).then(job => {
        // A new state may offer other actions: reload the page to show them.
        if (job.state !== el.textContent) window.location.reload()
      }).catch(() => clearInterval(timer))
    }, 1000)
  }

  function start () {
    document.querySelectorAll('[data-chart="throughput"]').forEach(drawThroughput)
    document.querySelectorAll('[data-job-state]').forEach(followJob)
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
  else start()
})()
