import { useEffect } from 'react'
import type { Modelgate } from '@modelgate/client'
import { ClassifyPage } from './classify/classify-page.tsx'
import { OpsPage } from './ops/ops-page.tsx'
import { followLink, useRoute } from './routing.ts'

const TITLES = { classify: 'Classify an image · Modelgate', ops: 'Operations · Modelgate' }

export function App ({ client }: { client: Modelgate }) {
  const route = useRoute()
  useEffect(() => { document.title = TITLES[route] }, [route])

  return (
    <>
      <a className='skip-link' href='#main'>Skip to content</a>
      <header className='site-header'>
        <div className='site-header__inner'>
          <a className='brand' href='/' onClick={followLink} aria-label='Modelgate home'>
            <svg className='brand__mark' viewBox='0 0 32 32' aria-hidden='true'>
              <rect width='32' height='32' rx='8' />
              <path d='M9 22V10l7 7 7-7v12' />
            </svg>
            <span>Modelgate</span>
          </a>
          <nav aria-label='Main'>
            <ul className='nav'>
              <li><a href='/' onClick={followLink} aria-current={route === 'classify' ? 'page' : undefined}>Classify</a></li>
              <li><a href='/ops' onClick={followLink} aria-current={route === 'ops' ? 'page' : undefined}>Operations</a></li>
            </ul>
          </nav>
        </div>
      </header>
      <main id='main' className='page' tabIndex={-1}>
        {route === 'ops' ? <OpsPage client={client} /> : <ClassifyPage client={client} />}
      </main>
      <footer className='site-footer'>
        <span>Gateway <code>{client.baseUrl}</code></span>
      </footer>
    </>
  )
}
