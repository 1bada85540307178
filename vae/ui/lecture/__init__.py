"""The Lecture page's parts: the nine steps of the course chapter (:mod:`.steps`: data), the widget and number
of each (:mod:`.widgets`, :mod:`.numbers`, :mod:`.figures`), how a step is drawn and navigated
(:mod:`.render`: step bar, keyboard, presenter mode), and the class around it (:mod:`.classroom_ui`: class
code, votes, live tally, following the teacher; :mod:`.share`: QR codes)."""
