// ProxyCore module
