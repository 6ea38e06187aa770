<?xml version="1.0" encoding="UTF-8"?>
<!-- identity: copies the configuration unchanged. A chain's placeholder, and the base that
     `cibsync transform new` scaffolds from. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>
</xsl:stylesheet>
