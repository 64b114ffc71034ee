import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createGatewayClient } from './api/client.ts'
import { readGatewayUrl } from './api/gateway-url.ts'
import { App } from './app.tsx'
import './styles.css'

const client = createGatewayClient({ baseUrl: readGatewayUrl() })
const root = document.getElementById('root')
if (root === null) throw new Error('index.html has no #root element')
createRoot(root).render(<StrictMode><App client={client} /></StrictMode>)
