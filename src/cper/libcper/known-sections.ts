/**
 * The section GUIDs libcper decodes, with its readable names (section_definitions in
 * sections/cper-section.c): a GUID not listed here is an "Unknown" section with base64 data.
 */
export const LIBCPER_KNOWN_SECTIONS: Readonly<Record<string, string>> = {
  '9876ccad-47b4-4bdb-b65e-16f193c4f3db': 'Processor Generic',
  'dc3ea0b0-a144-4797-b95b-53fa242b6e1d': 'IA32/X64',
  'e429faf1-3cb7-11d4-bca7-0080c73c8881': 'IPF',
  'e19e3d16-bc11-11e4-9caa-c2051d5d46b0': 'ARM',
  'a5bc1114-6f64-4ede-b863-3e83ed7c83b1': 'Platform Memory',
  '61ec04fc-48e6-d813-25c9-8daa44750b12': 'Platform Memory 2',
  'd995e954-bbc1-430f-ad91-b44dcb3c6f35': 'PCIe',
  '81212a96-09ed-4996-9471-8d729c8e69ed': 'Firmware Error Record Reference',
  'c5753963-3b84-4095-bf78-eddad3f9c9dd': 'PCI/PCI-X Bus',
  'eb5e4685-ca66-4769-b6a2-26068b001326': 'PCI Component/Device',
  '5b51fef7-c79d-4434-8f1b-aa62de3e2c64': 'DMAr Generic',
  '71761d37-32b2-45cd-a7d0-b0fedd93e8cf': 'Intel VT for Directed I/O Specific DMAr',
  '036f84e1-7f37-428c-a79e-575fdfaa84ec': 'IOMMU Specific DMAr',
  '91335ef6-ebfb-4478-a6a6-88b728cf75d7': 'CCIX PER Log Error',
  '80b9efb4-52b5-4de3-a777-68784b771048': 'CXL Protocol Error',
  'fbcd0a77-c260-417f-85a9-088b1621eba6': 'CXL General Media Component Error',
  '601dcbb3-9c06-4eab-b8af-4e9bfb5c9624': 'CXL DRAM Component Error',
  'fe927475-dd59-4339-a586-79bab113b774': 'CXL Memory Module Component Error',
  '77cf9271-9c02-470b-9fe4-bc7b75f2da97': 'CXL Physical Switch Component Error',
  '40d26425-3396-4c4d-a5da-3d47263af425': 'CXL Virtual Switch Component Error',
  '8dc44363-0c96-4710-b7bf-04bb99534c3f': 'CXL MLD Port Component Error',
  'bf32d4d5-b427-4025-8495-8a9e5d4030e4': 'ARM RAS',
};
