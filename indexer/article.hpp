// Articles are part of the public API (depeche::Article); internal code includes this.
#pragma once

#include <depeche/depeche.hpp>
