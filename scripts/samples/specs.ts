// The sample set: every document's data, how it is delivered, and what it tests. Fictitious companies
// and people; tax IDs are computed so their check digits are valid.
import type { InvoiceSpec, ItemSpec, ReceiptSpec, SampleSpec } from './model.ts';
import { cif, cnpj, cpf, deVat, nif, ptVat } from './tax-ids.ts';

const item = (description: string, quantity: string, unitPrice: string): ItemSpec => ({
  description,
  quantity,
  unitPrice,
});

const DIGITAL = { kind: 'digital' } as const;

const usFooter = (vendor: string, bank: string): string[] => [
  `Payment terms: Net 30. Please make checks payable to ${vendor.replace(/\.$/, '')}.`,
  bank,
  'Thank you for your business!',
];

// ---- English (US) ----

const invoiceEnDigital: InvoiceSpec = {
  name: 'invoice-en-digital',
  tests: 'US invoice from a text layer: $1,234.56 amounts, MM/DD/YYYY dates, EIN, PO number, sales tax.',
  documentType: 'invoice',
  language: 'en',
  locale: 'en-US',
  currency: 'USD',
  dateStyle: 'numeric',
  vendor: {
    name: 'Harbor Point Office Supply, Inc.',
    address: ['1450 Commerce Drive, Suite 200', 'Columbus, OH 43215'],
    taxId: { label: 'EIN', value: '31-4829175' },
  },
  customer: { name: 'Blue Ridge Logistics LLC', address: ['880 Industrial Parkway', 'Dayton, OH 45402'] },
  invoiceNumber: 'INV-2025-0318',
  invoiceDate: '2025-03-15',
  dueDate: '2025-04-14',
  purchaseOrder: 'PO-77812',
  items: [
    item('Copy paper, letter, 20 lb (case of 10 reams)', '12', '42.50'),
    item('Black toner cartridge HP 58A', '4', '89.99'),
    item('Ballpoint pens, blue (box of 50)', '6', '11.25'),
    item('Hanging file folders (box of 25)', '5', '18.40'),
    item('Delivery and handling', '1', '35.00'),
  ],
  taxRate: '7.5',
  footer: usFooter(
    'Harbor Point Office Supply, Inc.',
    'ACH: Fifth Third Bank, routing 042000314, account 7391028845',
  ),
  delivery: DIGITAL,
};

const multipageItems: ItemSpec[] = [
  item('Hex bolt 3/8"-16 x 2", zinc (box of 50)', '10', '14.85'),
  item('Hex nut 3/8"-16, zinc (box of 100)', '8', '9.60'),
  item('Flat washer 3/8", zinc (box of 100)', '8', '6.75'),
  item('Lock washer 3/8", split (box of 100)', '4', '7.20'),
  item('Carriage bolt 1/2"-13 x 4" (box of 25)', '6', '21.40'),
  item('Threaded rod 1/2"-13 x 6 ft', '12', '11.95'),
  item('Anchor bolt wedge 1/2" x 5-1/2" (box of 20)', '5', '32.50'),
  item('Safety glasses, clear, anti-fog', '24', '4.85'),
  item('Nitrile gloves, large (box of 100)', '15', '12.90'),
  item('Cut-resistant gloves, A4, size 9', '20', '8.75'),
  item('Ear plugs, foam, corded (box of 100 pairs)', '3', '38.00'),
  item('Hard hat, Type I, white', '6', '18.50'),
  item('High-visibility vest, Class 2, XL', '12', '9.95'),
  item('Shop towels, blue (roll of 55)', '18', '5.40'),
  item('Degreaser concentrate, 1 gal', '6', '16.80'),
  item('Cutting oil, 1 qt', '10', '8.90'),
  item('Cut-off wheel 4-1/2" x .045" (pack of 25)', '4', '27.50'),
  item('Flap disc 4-1/2", 60 grit', '20', '5.25'),
  item('Drill bit set, cobalt, 29 pieces', '2', '119.00'),
  item('Step drill bit 1/4"-1-3/8"', '3', '34.60'),
  item('Tape measure 25 ft', '10', '12.40'),
  item('Utility knife, retractable', '12', '7.85'),
  item('Utility blades (pack of 100)', '4', '19.90'),
  item('Zip ties 11", black (pack of 1000)', '2', '24.75'),
  item('Duct tape 2" x 60 yd, silver', '24', '6.45'),
  item('Marking paint, fluorescent orange, 17 oz', '12', '6.90'),
];

const invoiceEnMultipage: InvoiceSpec = {
  name: 'invoice-en-multipage',
  tests:
    'Two-page US invoice: line items continue on page 2, totals only on page 2, repeated header, "Page 1 of 2".',
  documentType: 'invoice',
  language: 'en',
  locale: 'en-US',
  currency: 'USD',
  dateStyle: 'numeric',
  vendor: {
    name: 'Summit Industrial Supply Co.',
    address: ['4200 Gateway Boulevard', 'Fort Worth, TX 76155'],
    taxId: { label: 'EIN', value: '75-2918463' },
  },
  customer: {
    name: 'Lone Star Fabrication, Inc.',
    address: ['2711 East Loop 820 South', 'Fort Worth, TX 76112'],
  },
  invoiceNumber: 'SIS-108442',
  invoiceDate: '2025-03-07',
  dueDate: '2025-04-06',
  purchaseOrder: '4410-2291',
  items: multipageItems,
  itemsPerPage: [18, 8],
  taxRate: '8.25',
  footer: usFooter('Summit Industrial Supply Co.', 'Wire: Frost Bank, ABA 114000093, account 502118736'),
  delivery: DIGITAL,
};

const invoiceEnScan: InvoiceSpec = {
  name: 'invoice-en-scan',
  tests:
    'US invoice scanned at 200 dpi, greyscale, skewed 1.4°, grain, blur, JPEG quality 60: no text layer, OCR only.',
  documentType: 'invoice',
  language: 'en',
  locale: 'en-US',
  currency: 'USD',
  dateStyle: 'numeric',
  vendor: {
    name: 'Lakeside IT Services LLC',
    address: ['315 West Gorham Street', 'Madison, WI 53703'],
    taxId: { label: 'EIN', value: '39-2074518' },
  },
  customer: {
    name: 'Greenfield Dental Group, P.C.',
    address: ['6800 Mineral Point Road', 'Madison, WI 53705'],
  },
  invoiceNumber: '2025-0147',
  invoiceDate: '2025-02-28',
  dueDate: '2025-03-30',
  items: [
    item('Managed IT services, February 2025', '1', '1450.00'),
    item('On-site support (hours)', '6.5', '120.00'),
    item('Firewall license renewal, 12 months', '1', '389.00'),
    item('Backup storage, 500 GB (monthly)', '2', '45.00'),
  ],
  taxRate: '5.5',
  footer: usFooter('Lakeside IT Services LLC', 'ACH: Associated Bank, routing 075900575, account 2208146692'),
  delivery: { kind: 'scan-pdf', dpi: 200, angle: 1.4 },
};

const invoiceEnPhotoRot180: InvoiceSpec = {
  name: 'invoice-en-photo-rot180',
  tests: 'US invoice as a PNG stored upside down (180°): orientation detection before OCR.',
  documentType: 'invoice',
  language: 'en',
  locale: 'en-US',
  currency: 'USD',
  dateStyle: 'numeric',
  vendor: {
    name: 'Cascade Janitorial Supply',
    address: ['2140 Pacific Avenue', 'Tacoma, WA 98402'],
    taxId: { label: 'EIN', value: '91-1837264' },
  },
  customer: { name: 'Puget Sound Medical Offices', address: ['1901 South Cedar Street', 'Tacoma, WA 98405'] },
  invoiceNumber: 'CJS-55730',
  invoiceDate: '2025-03-11',
  dueDate: '2025-04-10',
  purchaseOrder: 'PSM-0925',
  items: [
    item('Paper towels, multifold (case of 16)', '8', '31.75'),
    item('Hand soap, foaming, 1000 ml refill', '12', '9.40'),
    item('Trash liners 33 gal (case of 250)', '5', '42.80'),
    item('Disinfectant cleaner, 1 gal', '6', '14.25'),
  ],
  taxRate: '10.3',
  footer: usFooter('Cascade Janitorial Supply', 'Questions about this invoice? Call (253) 555-0188.'),
  delivery: { kind: 'image', format: 'png', dpi: 200, angle: 0, turn: 180, look: 'scan', noise: 0 },
};

// ---- English (EU) ----

const invoiceEnEuDigital: InvoiceSpec = {
  name: 'invoice-en-eu-digital',
  tests:
    'English invoice from Germany: € amounts with dot decimals, "15 Mar 2025" dates, DE VAT number, VAT 19%.',
  documentType: 'invoice',
  language: 'en',
  locale: 'en-EU',
  currency: 'EUR',
  dateStyle: 'short',
  vendor: {
    name: 'Nordlicht Software GmbH',
    address: ['Friedrichstraße 123', '10117 Berlin, Germany'],
    taxId: { label: 'VAT Reg. No.', value: deVat('27481936') },
  },
  customer: {
    name: 'Rheinwerk Maschinenbau AG',
    address: ['Industriestraße 45', '50667 Köln, Germany'],
    taxId: { label: 'VAT Reg. No.', value: deVat('81247365') },
  },
  invoiceNumber: 'NL-2025-00931',
  invoiceDate: '2025-03-15',
  dueDate: '2025-04-14',
  purchaseOrder: '4500123987',
  items: [
    item('Planning suite licence, annual (per seat)', '25', '96.00'),
    item('Implementation consulting (hours)', '12.5', '140.00'),
    item('Premium support, Q2 2025', '1', '1200.00'),
  ],
  taxRate: '19',
  footer: [
    'Payment terms: 30 days net. Please quote the invoice number with your payment.',
    'Berliner Volksbank, IBAN DE89 3704 0044 0532 0130 00, BIC GENODEF1P01',
  ],
  delivery: DIGITAL,
};

const invoiceEnEuScan: InvoiceSpec = {
  name: 'invoice-en-eu-scan',
  tests: 'English invoice from Portugal, scanned: PT VAT numbers, "3 April 2025" dates, VAT 23%, skew -1.2°.',
  documentType: 'invoice',
  language: 'en',
  locale: 'en-EU',
  currency: 'EUR',
  dateStyle: 'long',
  vendor: {
    name: 'Oceano Azul Tecnologia, Lda.',
    address: ['Rua Augusta 210, 3.º Esq.', '1100-053 Lisboa, Portugal'],
    taxId: { label: 'VAT Reg. No.', value: ptVat('51482736') },
  },
  customer: {
    name: 'Vinhos do Douro Exportação, S.A.',
    address: ['Avenida da Boavista 1837', '4100-133 Porto, Portugal'],
    taxId: { label: 'VAT Reg. No.', value: ptVat('50739182') },
  },
  invoiceNumber: 'FT 2025/388',
  invoiceDate: '2025-04-03',
  dueDate: '2025-05-03',
  purchaseOrder: 'VDE-PO-1162',
  items: [
    item('Warehouse scanner, rugged, with charger', '4', '685.00'),
    item('Label printer, thermal, 4 inch', '2', '412.50'),
    item('Device management subscription (monthly)', '6', '29.90'),
    item('Installation and training (hours)', '5', '65.00'),
  ],
  taxRate: '23',
  footer: [
    'Payment by bank transfer within 30 days. IBAN PT50 0035 0651 0000 1234 5678 9',
    'Oceano Azul Tecnologia, Lda. - Share capital EUR 50,000 - Lisbon Commercial Registry',
  ],
  delivery: { kind: 'scan-pdf', dpi: 200, angle: -1.2 },
};

// ---- Portuguese (Brazil) ----

const ptFooter = (pix: string, bank: string): string[] => [
  `Pagamento via boleto bancário ou PIX (chave: ${pix}).`,
  bank,
  'Obrigado pela preferência!',
];

const invoicePtDigital: InvoiceSpec = {
  name: 'invoice-pt-digital',
  tests:
    'Brazilian invoice from a text layer: R$ 1.234,56, DD/MM/YYYY, "Nº da Fatura", CNPJ vendor and customer.',
  documentType: 'invoice',
  language: 'pt',
  locale: 'pt-BR',
  currency: 'BRL',
  dateStyle: 'numeric',
  vendor: {
    name: 'Papelaria Central Ltda.',
    address: ['Rua XV de Novembro, 1234 - Centro', 'Curitiba - PR, 80020-310'],
    taxId: { label: 'CNPJ', value: cnpj('11222333') },
  },
  customer: {
    name: 'Construtora Horizonte S.A.',
    address: ['Av. Sete de Setembro, 4500 - Batel', 'Curitiba - PR, 80240-000'],
    taxId: { label: 'CNPJ', value: cnpj('48123907') },
  },
  invoiceNumber: '2025/000482',
  invoiceDate: '2025-03-15',
  dueDate: '2025-04-14',
  purchaseOrder: 'PC-5531',
  items: [
    item('Papel sulfite A4 75 g (caixa com 10 resmas)', '10', '25.50'),
    item('Caneta esferográfica azul (caixa com 50)', '4', '38.90'),
    item('Grampeador de mesa 26/6', '3', '47.60'),
    item('Pasta suspensa marmorizada (caixa com 50)', '2', '89.90'),
    item('Etiquetas adesivas A4 (pacote com 100 folhas)', '1', '64.70'),
  ],
  taxRate: '5',
  footer: ptFooter(
    'financeiro@papelariacentral.com.br',
    'Banco do Brasil, Agência 3041-2, Conta Corrente 98765-4',
  ),
  delivery: DIGITAL,
};

const invoicePtDigitalLongdate: InvoiceSpec = {
  name: 'invoice-pt-digital-longdate',
  tests: 'Brazilian invoice with dates written out ("15 de março de 2025") and a CPF customer.',
  documentType: 'invoice',
  language: 'pt',
  locale: 'pt-BR',
  currency: 'BRL',
  dateStyle: 'long',
  vendor: {
    name: 'Aurora Consultoria Contábil Ltda.',
    address: ['Rua Augusta, 1508 - Consolação', 'São Paulo - SP, 01304-001'],
    taxId: { label: 'CNPJ', value: cnpj('27654318') },
  },
  customer: {
    name: 'Mariana Souza Ferreira',
    address: ['Rua das Laranjeiras, 77, apto 42', 'São Paulo - SP, 04530-020'],
    taxId: { label: 'CPF', value: cpf('318704265') },
  },
  invoiceNumber: 'AC-1207',
  invoiceDate: '2025-03-15',
  dueDate: '2025-03-31',
  items: [
    item('Declaração de imposto de renda 2025', '1', '850.00'),
    item('Consultoria tributária (horas)', '3', '220.00'),
    item('Emissão de guias e certidões', '2', '75.00'),
  ],
  taxRate: '2',
  footer: ptFooter('financeiro@auroracontabil.com.br', 'Itaú Unibanco, Agência 0912, Conta Corrente 45128-7'),
  delivery: DIGITAL,
};

const invoicePtScan: InvoiceSpec = {
  name: 'invoice-pt-scan',
  tests: 'Brazilian services invoice scanned at 200 dpi, skewed -2.1°, grain, JPEG 60: no text layer.',
  documentType: 'invoice',
  language: 'pt',
  locale: 'pt-BR',
  currency: 'BRL',
  dateStyle: 'numeric',
  vendor: {
    name: 'TecnoServ Manutenção Predial Ltda.',
    address: ['Av. Afonso Pena, 2300 - Funcionários', 'Belo Horizonte - MG, 30130-007'],
    taxId: { label: 'CNPJ', value: cnpj('09318426') },
  },
  customer: {
    name: 'Condomínio Edifício Jardim das Acácias',
    address: ['Rua Paraíba, 1122 - Savassi', 'Belo Horizonte - MG, 30130-141'],
    taxId: { label: 'CNPJ', value: cnpj('17430258') },
  },
  invoiceNumber: '000.391',
  invoiceDate: '2025-03-05',
  dueDate: '2025-03-20',
  purchaseOrder: 'OS-2025-044',
  items: [
    item('Manutenção preventiva de ar-condicionado', '12', '95.00'),
    item('Troca de filtros (unidade)', '24', '18.50'),
    item('Visita técnica emergencial', '1', '280.00'),
  ],
  taxRate: '5',
  footer: ptFooter('cobranca@tecnoserv.com.br', 'Banco Inter, Agência 0001, Conta Corrente 1029384-5'),
  delivery: { kind: 'scan-pdf', dpi: 200, angle: -2.1 },
};

const invoicePtScan2p: InvoiceSpec = {
  name: 'invoice-pt-scan-2p',
  tests:
    'Two-page Brazilian invoice as a multi-page bilevel (CCITT G4) TIFF at 200 dpi, as a document feeder scans it.',
  documentType: 'invoice',
  language: 'pt',
  locale: 'pt-BR',
  currency: 'BRL',
  dateStyle: 'numeric',
  vendor: {
    name: 'Distribuidora Rio Grande Ltda.',
    address: ['Av. Farrapos, 3100 - Navegantes', 'Porto Alegre - RS, 90220-005'],
    taxId: { label: 'CNPJ', value: cnpj('92648135') },
  },
  customer: {
    name: 'Restaurante Sabor Gaúcho Ltda.',
    address: ['Rua Padre Chagas, 314 - Moinhos de Vento', 'Porto Alegre - RS, 90570-080'],
    taxId: { label: 'CNPJ', value: cnpj('30581746') },
  },
  invoiceNumber: '2025/011873',
  invoiceDate: '2025-03-18',
  dueDate: '2025-04-17',
  purchaseOrder: 'PC-0318',
  items: [
    item('Arroz branco tipo 1 (fardo 30 kg)', '4', '142.80'),
    item('Feijão preto tipo 1 (fardo 30 kg)', '2', '198.60'),
    item('Óleo de soja 900 ml (caixa com 20)', '3', '139.00'),
    item('Farinha de trigo 5 kg', '10', '21.90'),
    item('Açúcar cristal 5 kg', '6', '23.45'),
    item('Sal refinado 1 kg (fardo com 10)', '2', '19.80'),
    item('Café torrado e moído 500 g', '12', '18.75'),
    item('Leite integral UHT 1 L (caixa com 12)', '8', '58.20'),
    item('Queijo muçarela (kg)', '15', '39.90'),
    item('Presunto cozido (kg)', '8', '34.50'),
    item('Manteiga com sal 500 g', '10', '24.90'),
    item('Molho de tomate 340 g (caixa com 24)', '2', '66.00'),
    item('Azeite de oliva extravirgem 500 ml', '6', '42.90'),
    item('Vinagre de álcool 750 ml (caixa com 12)', '1', '31.20'),
    item('Picanha bovina resfriada (kg)', '12', '89.90'),
    item('Linguiça toscana (kg)', '10', '27.80'),
    item('Frango inteiro congelado (kg)', '20', '12.40'),
    item('Batata inglesa (saco 25 kg)', '2', '87.50'),
    item('Cebola (saco 20 kg)', '2', '64.00'),
    item('Guardanapo de papel (pacote com 50)', '30', '3.20'),
  ],
  itemsPerPage: [15, 5],
  taxRate: '5',
  footer: ptFooter(
    'financeiro@riograndealimentos.com.br',
    'Banrisul, Agência 0100, Conta Corrente 06.123456.0-1',
  ),
  delivery: { kind: 'image', format: 'tiff', dpi: 200, angle: 0.8, turn: 0, look: 'scan', noise: 1 },
};

// ---- Spanish (Spain) ----

const esFooter = (iban: string): string[] => [
  'Forma de pago: transferencia bancaria a 30 días.',
  `IBAN: ${iban}`,
  'Gracias por su confianza.',
];

const invoiceEsDigital: InvoiceSpec = {
  name: 'invoice-es-digital',
  tests:
    'Spanish invoice from a text layer: 1.234,56 €, "Factura N.º", "Base imponible", "IVA 21%", CIF both sides.',
  documentType: 'invoice',
  language: 'es',
  locale: 'es-ES',
  currency: 'EUR',
  dateStyle: 'numeric',
  vendor: {
    name: 'Suministros Industriales Levante, S.L.',
    address: ['Calle de Colón, 42', '46004 Valencia'],
    taxId: { label: 'CIF', value: cif('B', '4613579') },
  },
  customer: {
    name: 'Hostelería del Turia, S.A.',
    address: ['Avenida del Puerto, 118', '46023 Valencia'],
    taxId: { label: 'CIF', value: cif('A', '4682031') },
  },
  invoiceNumber: 'FV-2025/0153',
  invoiceDate: '2025-03-15',
  dueDate: '2025-04-14',
  purchaseOrder: 'HT-2025-087',
  items: [
    item('Cafetera industrial 2 grupos', '1', '1890.00'),
    item('Molinillo de café profesional', '1', '435.00'),
    item('Vaso de cristal templado 22 cl (caja 24)', '6', '28.40'),
    item('Instalación y puesta en marcha', '1', '150.00'),
  ],
  taxRate: '21',
  footer: esFooter('ES91 2100 0418 4502 0005 1332'),
  delivery: DIGITAL,
};

const invoiceEsDigitalLongdate: InvoiceSpec = {
  name: 'invoice-es-digital-longdate',
  tests: 'Spanish invoice with dates written out ("15 de marzo de 2025") and a private customer with a NIF.',
  documentType: 'invoice',
  language: 'es',
  locale: 'es-ES',
  currency: 'EUR',
  dateStyle: 'long',
  vendor: {
    name: 'Estudio Gráfico Alba, S.L.',
    address: ['Calle de Fuencarral, 89, 2.º B', '28004 Madrid'],
    taxId: { label: 'CIF', value: cif('B', '8712604') },
  },
  customer: {
    name: 'Carlos Martín Ruiz',
    address: ['Calle de Alcalá, 250, 4.º A', '28027 Madrid'],
    taxId: { label: 'NIF', value: nif('50831247') },
  },
  invoiceNumber: '2025-041',
  invoiceDate: '2025-03-15',
  dueDate: '2025-04-15',
  items: [
    item('Diseño de logotipo e identidad visual', '1', '980.00'),
    item('Tarjetas de visita (diseño y maquetación)', '1', '120.00'),
    item('Revisiones adicionales (horas)', '2.5', '45.00'),
  ],
  taxRate: '21',
  footer: esFooter('ES76 0049 1500 0512 3456 7892'),
  delivery: DIGITAL,
};

const invoiceEsScan: InvoiceSpec = {
  name: 'invoice-es-scan',
  tests: 'Spanish invoice scanned at 250 dpi, skewed 2.6°, grain and blur, JPEG 60: no text layer.',
  documentType: 'invoice',
  language: 'es',
  locale: 'es-ES',
  currency: 'EUR',
  dateStyle: 'numeric',
  vendor: {
    name: 'Talleres Mecánicos Guadalquivir, S.L.',
    address: ['Pol. Ind. La Isla, C/ Río Viejo, 14', '41703 Dos Hermanas (Sevilla)'],
    taxId: { label: 'CIF', value: cif('B', '9127465') },
  },
  customer: {
    name: 'Transportes Hermanos Ortega, S.L.',
    address: ['Carretera de Carmona, km 3', '41008 Sevilla'],
    taxId: { label: 'CIF', value: cif('B', '4105938') },
  },
  invoiceNumber: 'TG-25-0219',
  invoiceDate: '2025-03-12',
  dueDate: '2025-04-11',
  purchaseOrder: 'THO-1187',
  items: [
    item('Cambio de aceite y filtros, camión 18 t', '2', '265.00'),
    item('Pastillas de freno, eje delantero', '2', '148.50'),
    item('Mano de obra (horas)', '7.5', '48.00'),
    item('Neumático 315/80 R22.5', '4', '389.00'),
    item('Diagnosis electrónica', '1', '60.00'),
  ],
  taxRate: '21',
  footer: esFooter('ES12 2100 7382 1102 0045 6721'),
  delivery: { kind: 'scan-pdf', dpi: 250, angle: 2.6 },
};

const invoiceEsPhoto: InvoiceSpec = {
  name: 'invoice-es-photo',
  tests:
    'Spanish invoice photographed with a phone (WebP): colour, uneven light, page skewed -2.5° on a desk.',
  documentType: 'invoice',
  language: 'es',
  locale: 'es-ES',
  currency: 'EUR',
  dateStyle: 'numeric',
  vendor: {
    name: 'Imprenta Cantábrica, S.L.',
    address: ['Calle de Castelar, 31', '39004 Santander'],
    taxId: { label: 'CIF', value: cif('B', '3951628') },
  },
  customer: {
    name: 'Librería El Faro, S.L.',
    address: ['Paseo de Pereda, 12', '39004 Santander'],
    taxId: { label: 'CIF', value: cif('B', '3920471') },
  },
  invoiceNumber: 'IC/2025/0077',
  invoiceDate: '2025-03-21',
  dueDate: '2025-04-20',
  items: [
    item('Catálogo primavera, 24 páginas (ejemplares)', '500', '1.85'),
    item('Marcapáginas impresos a doble cara', '2000', '0.09'),
    item('Carteles A2 a color', '40', '3.20'),
  ],
  taxRate: '21',
  footer: esFooter('ES47 0075 0203 4206 0123 4567'),
  delivery: { kind: 'image', format: 'webp', dpi: 200, angle: -2.5, turn: 0, look: 'photo', noise: 3 },
};

// ---- Receipts ----

const receiptEnDigital: ReceiptSpec = {
  name: 'receipt-en-digital',
  tests:
    'US till receipt e-mailed as a PDF: narrow page, monospaced text, quantity lines "2 @ 3.29", card payment.',
  documentType: 'receipt',
  language: 'en',
  locale: 'en-US',
  currency: 'USD',
  dateStyle: 'numeric',
  vendor: { name: 'CORNER HARDWARE CO.', address: ['215 Main Street', 'Springfield, IL 62701'] },
  headerLines: ['Tel (217) 555-0142'],
  invoiceNumber: '10482-7731',
  invoiceDate: '2025-03-15',
  time: '2:41 PM',
  items: [
    item('WOOD SCREWS #8 1-1/4"', '1', '6.49'),
    item('DUCT TAPE 60YD', '2', '3.29'),
    item('LED BULB 60W EQ 4PK', '1', '9.97'),
    item('PAINTERS TAPE 1.88"', '3', '5.48'),
  ],
  taxRate: '6.25',
  payment: { method: 'VISA ****4821' },
  thanks: 'Thank you for shopping!',
  delivery: DIGITAL,
};

const receiptEnPhotoRot90: ReceiptSpec = {
  name: 'receipt-en-photo-rot90',
  tests:
    'US café receipt photographed and stored turned 90° (JPEG, no EXIF orientation): rotation detection.',
  documentType: 'receipt',
  language: 'en',
  locale: 'en-US',
  currency: 'USD',
  dateStyle: 'numeric',
  vendor: { name: 'MAPLE STREET CAFE', address: ['88 Church Street', 'Burlington, VT 05401'] },
  headerLines: ['(802) 555-0117'],
  invoiceNumber: '004418',
  invoiceDate: '2025-03-08',
  time: '8:17 AM',
  items: [
    item('LATTE 16OZ', '2', '4.75'),
    item('BLUEBERRY MUFFIN', '1', '3.50'),
    item('BREAKFAST SANDWICH', '1', '7.95'),
    item('ORANGE JUICE 12OZ', '1', '3.95'),
  ],
  taxRate: '9',
  payment: { method: 'MASTERCARD ****5512' },
  thanks: 'Thank you! Come again.',
  delivery: { kind: 'image', format: 'jpeg', dpi: 200, angle: 1.5, turn: 90, look: 'photo', noise: 4 },
};

const receiptPtDigital: ReceiptSpec = {
  name: 'receipt-pt-digital',
  tests: 'Brazilian supermarket NFC-e receipt as a PDF: CNPJ, "VALOR TOTAL R$", quantity lines "2 x 18,90".',
  documentType: 'receipt',
  language: 'pt',
  locale: 'pt-BR',
  currency: 'BRL',
  dateStyle: 'numeric',
  vendor: {
    name: 'SUPERMERCADO BOM PREÇO LTDA',
    address: ['Av. Paulista, 1000 - Bela Vista', 'São Paulo - SP'],
    taxId: { label: 'CNPJ', value: cnpj('61582049') },
  },
  invoiceNumber: '000123',
  invoiceDate: '2025-03-15',
  time: '14:32:07',
  items: [
    item('CAFE PILAO 500G', '2', '18.90'),
    item('LEITE INTEGRAL 1L', '6', '5.49'),
    item('PAO DE FORMA 500G', '1', '8.99'),
    item('BANANA PRATA KG', '1', '7.45'),
    item('DETERGENTE LIQ 500ML', '3', '2.79'),
  ],
  payment: { method: 'Cartão de Débito' },
  thanks: 'Obrigado pela preferência!',
  delivery: DIGITAL,
};

const receiptPtLowres: ReceiptSpec = {
  name: 'receipt-pt-lowres',
  tests:
    'Brazilian pharmacy receipt as a low-resolution (100 dpi) noisy JPEG, cash payment with change (Troco).',
  documentType: 'receipt',
  language: 'pt',
  locale: 'pt-BR',
  currency: 'BRL',
  dateStyle: 'numeric',
  vendor: {
    name: 'FARMÁCIA SÃO JORGE LTDA',
    address: ['Rua da Aurora, 325 - Boa Vista', 'Recife - PE'],
    taxId: { label: 'CNPJ', value: cnpj('10842637') },
  },
  invoiceNumber: '004712',
  invoiceDate: '2025-03-09',
  time: '19:05:44',
  items: [
    item('DIPIRONA 500MG 10CP', '2', '6.90'),
    item('PROTETOR SOLAR FPS50', '1', '54.90'),
    item('ESCOVA DENTAL MACIA', '1', '9.99'),
  ],
  payment: { method: 'Dinheiro', tendered: '100.00' },
  thanks: 'Obrigado pela preferência!',
  delivery: { kind: 'image', format: 'jpeg', dpi: 100, angle: -0.8, turn: 0, look: 'photo', noise: 8 },
};

const receiptEsDigital: ReceiptSpec = {
  name: 'receipt-es-digital',
  tests:
    'Spanish simplified invoice (ticket) as a PDF: prices include IVA, base/cuota breakdown, CIF, "Gracias".',
  documentType: 'receipt',
  language: 'es',
  locale: 'es-ES',
  currency: 'EUR',
  dateStyle: 'numeric',
  vendor: {
    name: 'FERRETERÍA EL CLAVO, S.L.',
    address: ['Calle de San Vicente de Paúl, 18', '50001 Zaragoza'],
    taxId: { label: 'CIF', value: cif('B', '5023716') },
  },
  invoiceNumber: 'T01-004512',
  invoiceDate: '2025-03-15',
  time: '10:12',
  items: [
    item('TACOS NYLON 8MM 50U', '2', '3.95'),
    item('CINTA AISLANTE NEGRA', '1', '1.80'),
    item('BROCA HORMIGON 8MM', '1', '4.60'),
    item('SILICONA BLANCA 280ML', '2', '5.75'),
  ],
  taxRate: '21',
  pricesIncludeTax: true,
  payment: { method: 'Tarjeta' },
  thanks: '¡Gracias por su visita!',
  delivery: DIGITAL,
};

const receiptEsPhoto: ReceiptSpec = {
  name: 'receipt-es-photo',
  tests:
    'Spanish café ticket photographed (JPEG, skewed -3°, uneven light), cash payment with change, IVA 10% incl.',
  documentType: 'receipt',
  language: 'es',
  locale: 'es-ES',
  currency: 'EUR',
  dateStyle: 'numeric',
  vendor: {
    name: 'CAFETERÍA LA PLAZA',
    address: ['Plaza Mayor, 6', '37002 Salamanca'],
    taxId: { label: 'NIF', value: nif('07964213') },
  },
  invoiceNumber: 'A25-0087',
  invoiceDate: '2025-03-15',
  time: '09:46',
  items: [
    item('CAFE CON LECHE', '2', '1.60'),
    item('TOSTADA TOMATE', '2', '2.80'),
    item('ZUMO NARANJA', '1', '3.20'),
  ],
  taxRate: '10',
  pricesIncludeTax: true,
  payment: { method: 'Efectivo', tendered: '20.00' },
  thanks: '¡Gracias por su visita!',
  delivery: { kind: 'image', format: 'jpeg', dpi: 180, angle: -3, turn: 0, look: 'photo', noise: 4 },
};

export const SAMPLES: SampleSpec[] = [
  invoiceEnDigital,
  invoiceEnMultipage,
  invoiceEnScan,
  invoiceEnPhotoRot180,
  invoiceEnEuDigital,
  invoiceEnEuScan,
  invoicePtDigital,
  invoicePtDigitalLongdate,
  invoicePtScan,
  invoicePtScan2p,
  invoiceEsDigital,
  invoiceEsDigitalLongdate,
  invoiceEsScan,
  invoiceEsPhoto,
  receiptEnDigital,
  receiptEnPhotoRot90,
  receiptPtDigital,
  receiptPtLowres,
  receiptEsDigital,
  receiptEsPhoto,
];
