import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { Modelgate } from '@modelgate/client'
import { readGatewayUrl } from './api/gateway-url.ts'
import { App } from './app.tsx'
import './styles.css'

// An anonymous session, renewed before it expires. No retries: a person sees a limit or an outage at
// once, in words, and decides when to try again.
const client = new Modelgate({ baseUrl: readGatewayUrl(), session: true, maxRetries: 0 })
const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root element')
createRoot(root).render(<StrictMode><App client={client} /></StrictMode>)
